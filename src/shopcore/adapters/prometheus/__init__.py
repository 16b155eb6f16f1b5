"""Prometheus metrics: the process's instruments, port decorators that feed them, collectors.

prometheus-client picks its storage when first imported: with PROMETHEUS_MULTIPROC_DIR set
(docker/gunicorn.conf.py sets it) every worker writes its counts there and a scrape of any
worker adds them up.
"""
