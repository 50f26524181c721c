/**
 * The logging surface every layer uses; pino satisfies it. One logger is created in cli/ and passed down
 * through constructors (never a global); components log through `child({ component, … })`.
 */
export interface Logger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** For tests and for callers that pass no logger. */
export const silentLogger: Logger = {
  debug() {}, info() {}, warn() {}, error() {},
  child() { return silentLogger; },
};
