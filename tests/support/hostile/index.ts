import { AUTH_CASES } from './authCases';
import { COST_CASES, OPTION_CASES, TIME_CASES } from './boundedWorkCases';
import { BODY_CASES, DISCONNECT_CASES } from './clientCases';
import { HTTP_CASES } from './httpCases';
import { INFLUXQL_CASES } from './influxqlCases';
import { PASS_THROUGH_CASES } from './passThroughCases';
import { PROMQL_COST_CASES } from './promqlCostCases';
import { HostileCase } from './types';

export type { HostileCase, HostileClass, HostileTarget } from './types';
export {
  AUTHORIZED,
  BASIC_USER,
  HOSTILE_LIMITS,
  HOSTILE_SERVER_YAML,
  PROXY_TOKEN,
  influxAdmin,
  influxReader,
} from './setup';

export const HOSTILE_CASES: HostileCase[] = [
  ...AUTH_CASES,
  ...HTTP_CASES,
  ...INFLUXQL_CASES,
  ...TIME_CASES,
  ...OPTION_CASES,
  ...COST_CASES,
  ...PROMQL_COST_CASES,
  ...BODY_CASES,
  ...PASS_THROUGH_CASES,
  // Last: an upstream may still count an abandoned request after the case has ended.
  ...DISCONNECT_CASES,
];
