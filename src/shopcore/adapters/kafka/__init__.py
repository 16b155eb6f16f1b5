"""The Kafka side of the event bus: the relay's publisher and the `consume-events` consumer.

kafka-python is imported only here, and only when one of these classes is built, so the
request path never touches it (its clients block for seconds against a dead broker).
"""
