import { conditionName, type Behaviour, type Condition, type Rule } from './model.js';

/** `remote_added/modified`: the first value in full, the others bare. */
export function formatCondition(condition: Condition): string {
  const [first, ...rest] = condition.anyOf as readonly string[];
  const head = conditionName(condition.dimension, first ?? '');
  return [head, ...rest].join('/');
}

/** `import if different and remote_added/modified`; a rule without conditions is just its command. */
export function formatRule(rule: Rule): string {
  if (rule.conditions.length === 0) return rule.command;
  return `${rule.command} if ${rule.conditions.map(formatCondition).join(' and ')}`;
}

/** The part after `=`, the form `syncline behaviour define NAME RULES` takes. */
export function formatRules(rules: readonly Rule[]): string {
  return rules.map(formatRule).join('; ');
}

/** The canonical text of a behaviour; parseBehaviour(formatBehaviour(b)) gives b back. */
export function formatBehaviour(behaviour: Behaviour): string {
  return `${behaviour.name}=${formatRules(behaviour.rules)}`;
}
