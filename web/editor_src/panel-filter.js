// The properties panel offers only what a deployment accepts: the groups for Camunda's Java side (listeners,
// input/output mappings, connectors, external tasks, job settings) are left out, since the engine ignores or
// refuses them (engine/element_rules.py). A business rule task keeps 实现 for its DMN decision. 可发起人
// (camunda:candidateStarterGroups/Users on the process or its pool) stays: /start reads who may start from it.
const HIDDEN_GROUPS = new Set([
  'CamundaPlatform__TaskListener', 'CamundaPlatform__ExecutionListener',
  'CamundaPlatform__Input', 'CamundaPlatform__Output',
  'CamundaPlatform__ConnectorInput', 'CamundaPlatform__ConnectorOutput',
  'CamundaPlatform__FieldInjection', 'CamundaPlatform__ExternalTask', 'CamundaPlatform__Errors',
  'CamundaPlatform__AsynchronousContinuations', 'CamundaPlatform__JobExecution',
  'CamundaPlatform__HistoryCleanup', 'CamundaPlatform__Tasklist',
  'CamundaPlatform__ExtensionProperties'
]);

export function visibleGroups(element, groups) {
  const keepsImplementation = element.type === 'bpmn:BusinessRuleTask';
  return groups.filter(group => !HIDDEN_GROUPS.has(group.id) ||
    (group.id === 'CamundaPlatform__Implementation' && keepsImplementation));
}

function DeployableGroupsProvider(propertiesPanel) {
  propertiesPanel.registerProvider(100, this);  // after the Camunda provider (500), which adds the groups
}

DeployableGroupsProvider.prototype.getGroups = function(element) {
  return groups => visibleGroups(element, groups);
};

DeployableGroupsProvider.$inject = ['propertiesPanel'];

export default {
  __init__: ['deployableGroupsProvider'],
  deployableGroupsProvider: ['type', DeployableGroupsProvider]
};
