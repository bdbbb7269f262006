-- POST /users with a unique email per request: every answer must be 200.
dofile(os.getenv("WRK_REPORT"))
local counter = 0
local prefix = os.getenv("WRK_PREFIX") or "bench"
local thread_id = tostring(math.random(1, 1000000000))
request = function()
  counter = counter + 1
  local body = "email=" .. prefix .. "-" .. thread_id .. "-" .. counter .. "%40example.com&password=pw"
  return wrk.format("POST", "/users", {["Content-Type"] = "application/x-www-form-urlencoded"}, body)
end
