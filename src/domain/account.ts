/** Roles of a local account (SC.SSI/IAM.92 privileged accounts): what a console user may do. */
export const accountRoles = ['admin', 'operator', 'auditor'] as const;
export type AccountRole = (typeof accountRoles)[number];

/** The result column of an audit entry (SC.SSI/IAM.91: every trace says whether the operation succeeded). */
export const auditResults = ['success', 'failure'] as const;
export type AuditResult = (typeof auditResults)[number];
