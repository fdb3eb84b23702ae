-- wrk script: POSTs WooCommerce-format deliveries read from HG_BENCH_FILE
-- (lines "body<TAB>signature<TAB>delivery-id"). With several lines each
-- thread takes every n-th one, so no delivery is sent twice (the accepted
-- runs); a one-line file is sent over and over by every thread (the forged
-- and over-limit runs). Prints one RESULT line of JSON.
local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local function delivery(line)
  local body, sig, id = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)$")
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["User-Agent"] = "WooCommerce/7.9.0 Hookshot (WordPress/6.1.1)",
    ["X-WC-Webhook-Source"] = "https://shop.example/",
    ["X-WC-Webhook-Topic"] = "order.created",
    ["X-WC-Webhook-Resource"] = "order",
    ["X-WC-Webhook-Event"] = "created",
    ["X-WC-Webhook-ID"] = "7",
    ["X-WC-Webhook-Signature"] = sig,
    ["X-WC-Webhook-Delivery-ID"] = id,
  }, body)
end

function init(args)
  local lines = {}
  for line in io.lines(os.getenv("HG_BENCH_FILE")) do
    table.insert(lines, line)
  end
  local nthreads = tonumber(os.getenv("HG_BENCH_THREADS") or "2")
  reqs = {}
  for i, line in ipairs(lines) do
    if #lines == 1 or (i - 1) % nthreads == tid then
      table.insert(reqs, delivery(line))
    end
  end
  n = 0
  wrapped = 0
end

function request()
  n = n + 1
  if n > #reqs then
    n = 1
    wrapped = wrapped + 1
  end
  return reqs[n]
end

function done(summary, latency, requests)
  local e = summary.errors
  local repeated = 0
  for _, t in ipairs(threads) do
    repeated = repeated + (t:get("wrapped") or 0)
  end
  io.write(string.format('RESULT {"requests":%d,"duration_us":%d,"non2xx":%d,"socket_errors":%d,"p50_us":%d,"p99_us":%d,"wrapped":%d}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), repeated))
end
