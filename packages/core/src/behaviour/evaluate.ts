import { formatRule } from './format.js';
import { situationValue, type Behaviour, type Command, type Condition, type Rule, type Situation } from './model.js';

export interface Verdict {
  readonly command: Command;
  /** 0-based position of the deciding rule in the behaviour. */
  readonly ruleIndex: number;
  /** The deciding rule in canonical form (formatRule). */
  readonly ruleText: string;
}

export function conditionHolds(condition: Condition, situation: Situation): boolean {
  return (condition.anyOf as readonly string[]).includes(situationValue(situation, condition.dimension));
}

export function ruleHolds(rule: Rule, situation: Situation): boolean {
  return rule.conditions.every((c) => conditionHolds(c, situation));
}

/** The first rule whose conditions all hold decides; undefined when none does (a more general behaviour may). */
export function evaluate(behaviour: Behaviour, situation: Situation): Verdict | undefined {
  const ruleIndex = behaviour.rules.findIndex((rule) => ruleHolds(rule, situation));
  if (ruleIndex < 0) return undefined;
  const rule = behaviour.rules[ruleIndex] as Rule;
  return { command: rule.command, ruleIndex, ruleText: formatRule(rule) };
}
