import { AUTH_CASES } from './authCases';
import { COST_CASES, TIME_CASES } from './boundedWorkCases';
import { INFLUXQL_CASES } from './influxqlCases';
import { HostileCase } from './types';

export type { HostileCase, HostileClass, HostileTarget } from './types';
export { AUTHORIZED, HOSTILE_LIMITS, PROXY_TOKEN, influxAdmin, influxReader } from './setup';

export const HOSTILE_CASES: HostileCase[] = [...AUTH_CASES, ...INFLUXQL_CASES, ...TIME_CASES, ...COST_CASES];
