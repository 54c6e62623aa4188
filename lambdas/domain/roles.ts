/** The four roles of API.md, carried in the `cognito:groups` claim. */
export const roles = ['customer', 'agent', 'ops', 'admin'] as const;
export type Role = (typeof roles)[number];
