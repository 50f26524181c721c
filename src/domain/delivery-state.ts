/**
 * The delivery state machine (ARCHITECTURE.md "The store is the spine"). The same list is a CHECK
 * constraint in the store migration.
 *
 *   held → pending → in_flight → done
 *                       │  └───→ retry_wait → pending …
 *                       └──────→ dead
 *   any non-final state → cancelled (superseded, or by an operator)
 */
export const deliveryStates = ['held', 'pending', 'in_flight', 'done', 'retry_wait', 'dead', 'cancelled'] as const;
export type DeliveryState = (typeof deliveryStates)[number];

const transitions: Readonly<Record<DeliveryState, readonly DeliveryState[]>> = {
  held: ['pending', 'cancelled'],
  pending: ['in_flight', 'held', 'cancelled'],
  in_flight: ['done', 'retry_wait', 'dead', 'held', 'pending'],
  retry_wait: ['pending', 'in_flight', 'held', 'dead', 'cancelled'],
  done: [],
  dead: ['pending', 'cancelled'], // replay by an operator
  cancelled: [],
};

export function canTransition(from: DeliveryState, to: DeliveryState): boolean {
  return transitions[from].includes(to);
}

export function isFinal(state: DeliveryState): boolean {
  return state === 'done' || state === 'cancelled';
}
