-- Argo CD health of a cutover.dev Rollout (docs/gitops.md). Install it under the key
-- resource.customizations.health.cutover.dev_Rollout of the argocd-cm ConfigMap.
-- Plain Lua 5.1 (Argo CD's interpreter); tested with lua5.4 against recorded Rollouts.
local hs = {}
local status = obj.status
if status == nil or status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "waiting for the Cutover controller"
  return hs
end
if obj.metadata.generation ~= nil and status.observedGeneration < obj.metadata.generation then
  hs.status = "Progressing"
  hs.message = "the controller has not acted on generation " .. obj.metadata.generation .. " yet"
  return hs
end
local function condition(kind)
  if status.conditions == nil then return nil end
  for _, c in ipairs(status.conditions) do
    if c.type == kind then return c end
  end
  return nil
end
local message = status.message or status.phase or ""
local stalled = condition("Stalled")
if stalled ~= nil and stalled.status == "True" then
  hs.status = "Degraded"
  hs.message = stalled.message or message
  return hs
end
if status.paused == true or status.phase == "AwaitingApproval" or status.phase == "AwaitingPromotion" then
  hs.status = "Suspended"
  hs.message = message
  return hs
end
local ready = condition("Ready")
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
else
  hs.status = "Progressing"
end
hs.message = message
return hs
