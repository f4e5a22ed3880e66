// Subscription ids, unique across every kind of stream, so one connection can hold logs and runs without a clash.

let last = 0;

export function nextSubscriptionId(): number {
  last += 1;
  return last;
}
