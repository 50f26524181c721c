/** RELAIS_ + the key path in upper snake case, levels joined by `__` (intake.mssMatrixProfile → RELAIS_INTAKE__MSS_MATRIX_PROFILE). */
export function envName(path: readonly string[]): string {
  return 'RELAIS_' + path.map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()).join('__');
}
