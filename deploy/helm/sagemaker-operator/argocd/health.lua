-- Argo CD health check for every sagemaker.mlops.dev kind (TrainingJob, Endpoint,
-- MonitoringSchedule, MultiModelSet). Argo CD runs it with only the base and table
-- libraries, so it uses no string functions.

-- The reasons after which the resource cannot reach its spec without a person: exactly those
-- with terminal: true in src/controllers/common/reasons.ts (a unit test checks this).
local terminalReasons = {
  AccessDenied = true,
  AlreadyExists = true,
  CreateFailed = true,
  DeletedOutOfBand = true,
  Failed = true,
  GateNotMet = true,
  IdentityChanged = true,
  IdentityNotSet = true,
  InvalidSpec = true,
  PolicyViolation = true,
  Stopped = true,
  UpdateFailed = true,
}

local function findCondition(status, conditionType)
  if status.conditions == nil then
    return nil
  end
  for _, condition in ipairs(status.conditions) do
    if condition.type == conditionType then
      return condition
    end
  end
  return nil
end

local function describe(condition, fallback)
  if condition ~= nil and condition.message ~= nil and condition.message ~= "" then
    return condition.message
  end
  if condition ~= nil and condition.reason ~= nil and condition.reason ~= "" then
    return condition.reason
  end
  return fallback
end

local status = obj.status
if status == nil then
  return { status = "Progressing", message = "Waiting for the operator to report status" }
end

-- A status written for an older generation says nothing about the spec just applied: reporting
-- its old verdict would fail a sync that fixed the problem, or pass one that broke something.
local generation = obj.metadata.generation
if generation ~= nil and status.observedGeneration ~= generation then
  return { status = "Progressing", message = "Waiting for the operator to observe generation " .. generation }
end

local succeeded = findCondition(status, "Succeeded")
if succeeded ~= nil and succeeded.status == "False" then
  return { status = "Degraded", message = describe(succeeded, "The job did not succeed") }
end

local synced = findCondition(status, "Synced")
if synced ~= nil and synced.status == "False" and terminalReasons[synced.reason] then
  return { status = "Degraded", message = describe(synced, "The operator cannot apply the spec") }
end

-- Ready False with a terminal reason (e.g. a job deleted outside the operator) needs a person too,
-- even when the last reconcile itself succeeded.
local ready = findCondition(status, "Ready")
if ready ~= nil and ready.status == "False" and terminalReasons[ready.reason] then
  return { status = "Degraded", message = describe(ready, "The resource cannot reach its spec") }
end

if ready ~= nil and ready.status == "True" then
  return { status = "Healthy", message = describe(ready, "Ready") }
end

if synced ~= nil and synced.status == "False" then
  return { status = "Progressing", message = describe(synced, "Retrying") }
end
return { status = "Progressing", message = describe(ready, "Waiting for the resource to become ready") }
