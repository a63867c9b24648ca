// The three Lua scripts, each run atomically by Redis. A key holds "p:<token>" while a
// delivery is in flight (expiring with the lease) and "d" once it is handled (expiring
// with the TTL). KEYS[1] is the namespaced key of one delivery id.

/**
 * ARGV[1] = "p:<token>", ARGV[2] = lease in ms; with `waitForReplicas`, ARGV[3] = the replicas
 * required. Returns 0 claimed (the key was absent and now holds our lease), 1 in flight
 * (another attempt's lease), 2 done, 3 refused without a write: this primary has fewer
 * replicas in sync (online, acknowledged within the last 4 s: replicas acknowledge every second, and INFO counts whole seconds, -1 just after an acknowledgement) than ARGV[3], so a WAIT could
 * only time out. The count is the primary's own view (INFO replication), so a shard without
 * its replica answers at once and the other shards are untouched.
 */
export const CLAIM_SCRIPT: string = `local v = redis.call("GET", KEYS[1])
if v == "d" then return 2 end
if v then return 1 end
if ARGV[3] then
  local live = 0
  local info = redis.call("INFO", "replication")
  for state, lag in string.gmatch(info, "slave%d+:[^\\r\\n]*state=(%a+)[^\\r\\n]*lag=(%-?%d+)") do
    if state == "online" and tonumber(lag) <= 4 then live = live + 1 end
  end
  if live < tonumber(ARGV[3]) then return 3 end
end
redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
return 0`;

/**
 * ARGV[1] = "p:<token>", ARGV[2] = TTL in ms. Marks the id done only while the key still
 * holds our lease, or nothing (our lease expired and no other attempt claimed it): never
 * over another attempt's lease. Returns 1 when it marked the id, else 0.
 */
export const COMPLETE_SCRIPT: string = `local v = redis.call("GET", KEYS[1])
if v == false or v == ARGV[1] then
  redis.call("SET", KEYS[1], "d", "PX", ARGV[2])
  return 1
end
return 0`;

/**
 * ARGV[1] = "p:<token>". Deletes the key only while it still holds our lease, so a late
 * release never frees another attempt's claim nor forgets a handled id. Returns 1 or 0.
 */
export const RELEASE_SCRIPT: string = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("DEL", KEYS[1])
end
return 0`;

/**
 * ARGV[1] = "p:<token>", ARGV[2] = lease in ms. Starts the lease again only while the key
 * still holds our lease. Returns 1 or 0.
 */
export const EXTEND_SCRIPT: string = `if redis.call("GET", KEYS[1]) == ARGV[1] then
  return redis.call("PEXPIRE", KEYS[1], ARGV[2])
end
return 0`;
