/** Who acts: the token's subject and the role the request acts in. */
import type { Role } from './roles.js';

export interface Actor {
  readonly subject: string;
  readonly role: Role;
  readonly customerId?: string;
  /** The token's phone number, present only when the identity provider verified it. */
  readonly verifiedPhone?: string;
}
