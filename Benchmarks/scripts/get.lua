-- GET a path (WRK_PATH, default /) with an optional session cookie (WRK_COOKIE).
dofile(os.getenv("WRK_REPORT"))
local cookie = os.getenv("WRK_COOKIE")
wrk.method = "GET"
wrk.path = os.getenv("WRK_PATH") or "/"
if cookie and cookie ~= "" then wrk.headers["Cookie"] = "session_id=" .. cookie end
