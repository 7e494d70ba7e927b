export { main } from './main';
export {
  generateTelemetry,
  METRICS,
  type TelemetryOptions,
  type TelemetryData,
  type InjectedAnomaly,
} from './sample/generateTelemetry';
export { InputError } from './errors';
