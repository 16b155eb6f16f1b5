-- shopcore benchmark: one wrk script, the scenario named by BENCH_SCENARIO.
--
-- wrk runs with one connection per thread (-t N -c N), so each thread is one closed-loop
-- user whose request() and response() alternate: the purchase flow relies on it.
--
-- Environment:
--   BENCH_SCENARIO  products_list | products_deep | product_detail | products_by_category
--                   | products_search | cart_get | cart_add | purchase_flow | mixed
--   BENCH_DATA      folder of product_ids.txt, category_ids.txt, words.txt,
--                   tokens_cart.txt, tokens_flow.txt (one value a line)
--   BENCH_PAGES     the pages products_list cycles through, "first:last"
--   BENCH_DEEP      the pages products_deep cycles through, "first:last"
-- done() prints one line "BENCH_RESULT {json}".

local scenario = os.getenv("BENCH_SCENARIO") or "products_list"
local data = os.getenv("BENCH_DATA") or "."

local function range(spec)
  local a, b = (spec or "1:50"):match("(%d+):(%d+)")
  return tonumber(a) or 1, tonumber(b) or 50
end
local page_first, page_last = range(os.getenv("BENCH_PAGES"))
local deep_first, deep_last = range(os.getenv("BENCH_DEEP"))

local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local function lines(name)
  local t = {}
  local f = io.open(data .. "/" .. name, "r")
  if not f then return t end
  for line in f:lines() do
    if line ~= "" then table.insert(t, line) end
  end
  f:close()
  return t
end

-- Each connection adds to a cart of at most CART_POOL lines, as a shopper does: drawing from
-- the whole catalog would grow every cart by a line a request, and a stack answering with
-- the whole cart would pay for its own speed.
local CART_POOL = 20
local products, categories, words, pool
local auth_get, auth_json
local counter, step, order_id = 0, 0, nil
local mixed_kinds = {"products_list", "product_detail", "products_by_category",
                     "products_search", "cart_get", "cart_add"}
statuses, flows_ok, flows_failed = {}, 0, 0

function init(args)
  tid = tid or 0
  math.randomseed(1000 + 7919 * tid)
  products, categories, words = lines("product_ids.txt"), lines("category_ids.txt"),
                                lines("words.txt")
  local tokens = lines(scenario == "purchase_flow" and "tokens_flow.txt" or "tokens_cart.txt")
  if #tokens > 0 then
    local token = tokens[(tid % #tokens) + 1]
    auth_get = {["Authorization"] = "Bearer " .. token}
    auth_json = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
  end
  pool = {}
  for i = 1, CART_POOL do pool[i] = products[math.random(#products)] end
  counter = tid * 13
end

local function cycle(first, last)
  return first + (counter % (last - first + 1))
end

local function add(product_id)
  return wrk.format("POST", "/api/cart/add/", auth_json,
                    '{"product_id": ' .. product_id .. ', "quantity": 1}')
end

local function one(kind)
  if kind == "products_list" then
    return wrk.format("GET", "/api/products/?page=" .. cycle(page_first, page_last))
  elseif kind == "products_deep" then
    return wrk.format("GET", "/api/products/?page=" .. cycle(deep_first, deep_last))
  elseif kind == "product_detail" then
    return wrk.format("GET", "/api/products/" .. products[math.random(#products)] .. "/")
  elseif kind == "products_by_category" then
    return wrk.format("GET", "/api/products/?category=" .. categories[(counter % #categories) + 1])
  elseif kind == "products_search" then
    return wrk.format("GET", "/api/products/search/?q=" .. words[(counter % #words) + 1])
  elseif kind == "cart_get" then
    return wrk.format("GET", "/api/cart/", auth_get)
  elseif kind == "cart_add" then
    return add(pool[(counter % CART_POOL) + 1])
  end
  error("unknown BENCH_SCENARIO " .. kind)
end

function request()
  counter = counter + 1
  if scenario == "mixed" then
    return one(mixed_kinds[math.random(#mixed_kinds)])
  elseif scenario ~= "purchase_flow" then
    return one(scenario)
  elseif step == 0 then
    -- An order empties the cart, so the flow may draw from the whole catalog.
    return add(products[math.random(#products)])
  elseif step == 1 then
    return wrk.format("POST", "/api/orders/create/", auth_json, "{}")
  end
  return wrk.format("POST", "/api/payments/process/", auth_json,
                    '{"order_id": ' .. order_id .. ', "payment_method_id": "pm_card_visa"}')
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if scenario ~= "purchase_flow" then return end
  if status < 200 or status > 299 then
    flows_failed, step = flows_failed + 1, 0
  elseif step == 0 then
    step = 1
  elseif step == 1 then
    order_id = body and body:match('"id"%s*:%s*(%d+)')
    if order_id then step = 2 else flows_failed, step = flows_failed + 1, 0 end
  else
    flows_ok, step = flows_ok + 1, 0
  end
end

function done(summary, latency, requests)
  local merged, non2xx, ok, failed = {}, 0, 0, 0
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses") or {}) do
      merged[code] = (merged[code] or 0) + n
      if code < 200 or code > 299 then non2xx = non2xx + n end
    end
    ok = ok + (t:get("flows_ok") or 0)
    failed = failed + (t:get("flows_failed") or 0)
  end
  local parts = {}
  for code, n in pairs(merged) do table.insert(parts, string.format('"%d": %d', code, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"latency_us": {"mean": %.1f, "max": %d, "p50": %d, "p95": %d, "p99": %d}, ' ..
    '"socket_errors": %d, "statuses": {%s}, "non2xx": %d, "flows_ok": %d, "flows_failed": %d}\n',
    summary.requests, summary.duration, summary.bytes, latency.mean, latency.max,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, table.concat(parts, ", "), non2xx, ok, failed))
end
