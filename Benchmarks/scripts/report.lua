-- Shared by every wrk scenario: prints one JSON line with the figures the harness tabulates.
local errors_by_status = 0

response = function(status, headers, body)
  if status >= 400 and not (expected_status and status == expected_status) then
    errors_by_status = errors_by_status + 1
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"p999_us":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,"status_errors":%d,"non2xx":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency:percentile(99.9), e.connect, e.read, e.write, e.timeout, errors_by_status, e.status))
end
