/**
 * @forkyard/loadgen — load tests for a Forkyard pool (or any allow-listed HTTP server):
 * scenarios with bounded, validated parameters; closed- and open-loop runners on undici in
 * their own worker thread; HDR latency histograms; plain-JSON results and their comparison.
 */

export { startLoadTest, type LoadTestHandle, type StartOptions } from './start.js';
export { runScenario, type RunOptions } from './run.js';
export { validateSpec, rampLevels, FIELD_ERROR_CODES, type FieldError, type FieldErrorCode, type SpecValidation } from './spec/validate.js';
export { trafficPlan, type TrafficPlan } from './spec/plan.js';
export {
  DEFAULTS,
  LIMITS,
  SCENARIOS,
  specDurationSeconds,
  type ConnectionPerRequestSpec,
  type CpuSpec,
  type HelloSpec,
  type IdleKeepAliveSpec,
  type LoadMode,
  type LoadTestInput,
  type LoadTestSpec,
  type RampSpec,
  type ScenarioName,
  type SlowSpec,
  type SteadyLoad,
} from './spec/types.js';
export { checkTarget, type TargetCheck } from './target.js';
export { compareResults, type ComparisonColumn, type ComparisonRow, type ComparisonTable } from './result/compare.js';
export {
  emptyErrorCounts,
  type ErrorCounts,
  type ErrorKind,
  type IdleReport,
  type LatencyFigures,
  type LoadTestResult,
  type Outcome,
  type Summary,
  type TimelineSecond,
} from './result/types.js';
export { LOADGEN_ERROR_CODES, LoadgenError, type LoadgenErrorCode } from './errors.js';
