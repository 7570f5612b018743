import { planPrices } from '@tessera/control-plane/billing/plan-prices';
import { itemChanges } from '@tessera/control-plane/billing/stripe-billing-accounts';
import { describe, expect, it } from 'vitest';

describe('billing: a plan change as subscription item changes', () => {
  const items = [
    { id: 'si_flat', price: 'price_dev' },
    { id: 'si_tokens', price: 'price_tokens_dev' },
  ];
  const dev = { flat: 'price_dev', metered: ['price_tokens_dev'] };

  it('changes the flat item in place, drops metered prices the new plan does not bill and adds the new ones', () => {
    const business = { flat: 'price_business', metered: ['price_mas_business'] };
    expect(itemChanges(items, dev, business)).toEqual([
      { id: 'si_flat', price: 'price_business' },
      { id: 'si_tokens', deleted: true },
      { price: 'price_mas_business' },
    ]);
  });

  it('keeps a metered item both plans bill, and asks for nothing when the prices are the same', () => {
    expect(itemChanges(items, dev, { flat: 'price_x', metered: ['price_tokens_dev'] })).toEqual([
      { id: 'si_flat', price: 'price_x' },
    ]);
    expect(itemChanges(items, dev, dev)).toEqual([]);
  });

  it('takes the one unmetered item as the flat one when its price was replaced outside Tessera', () => {
    const replaced = [{ id: 'si_other', price: 'price_set_in_dashboard' }];
    expect(itemChanges(replaced, dev, { flat: 'price_b', metered: [] })).toEqual([
      { id: 'si_other', price: 'price_b' },
    ]);
  });

  it("reads a plan's prices: the flat price and each metric's metered price, once", () => {
    expect(
      planPrices({
        price_id: 'price_flat',
        meters: {
          tokens: { event_name: 'tokens', price_id: 'price_m' },
          sign_ins: { event_name: 'sign_ins', price_id: 'price_m' },
          introspections: { event_name: 'introspections' },
        },
      }),
    ).toEqual({ flat: 'price_flat', metered: ['price_m'] });
    expect(planPrices({})).toEqual({ flat: null, metered: [] });
  });
});
