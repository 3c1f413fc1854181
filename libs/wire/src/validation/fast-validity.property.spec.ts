import fc from 'fast-check';
import { type ClassConstructor } from 'class-transformer';
import { IsString, Length, MaxLength, validateSync } from 'class-validator';
import { INBOUND_EVENT_SCHEMAS, INBOUND_EVENT_TYPES } from '@rapport/domain';
import { demoTouchpoints, hostileInboundEvent, VALID_EVENT_SAMPLES } from '@rapport/testing';
import { CloudEventEnvelope } from '../cloudevents/cloud-event-envelope';
import { isValidFast } from './fast-validity';
import { instantiateDto } from './instantiate-dto';
import { validateDto } from './validate-dto';

/** class-validator's own verdict, with the options `validateDto` gives it. */
function classValidatorAccepts(instance: object): boolean {
  return (
    validateSync(instance, {
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
    }).length === 0
  );
}

/** The DTOs an inbound event is validated against: its envelope, and its data's class. */
function dtosOf(event: unknown): [ClassConstructor<object>, unknown][] {
  const type = (event as { type?: unknown })?.type;
  const schema = typeof type === 'string' ? INBOUND_EVENT_SCHEMAS.get(type) : undefined;
  return [
    [CloudEventEnvelope, event],
    ...(schema ? [[schema.dataClass, (event as { data?: unknown }).data] as [never, unknown]] : []),
  ];
}

class Lengths {
  @Length(2, 5)
  between!: unknown;

  @MaxLength(3)
  atMost!: unknown;

  @IsString()
  @Length(1)
  some!: unknown;
}

describe('the fast validity check', () => {
  it("counts a string's length as class-validator does (surrogate pairs, variation selectors)", () => {
    const text = fc
      .array(fc.constantFrom('a', 'b', '\uFE0F', '\uFE0E', '\uD83D', '\uDE00', '\uDC00'), {
        maxLength: 9,
      })
      .map((units) => units.join(''));
    let accepted = 0;
    fc.assert(
      fc.property(text, text, fc.oneof(text, fc.constant(7)), (between, atMost, some) => {
        const instance = Object.assign(new Lengths(), { between, atMost, some });
        const accepts = classValidatorAccepts(instance);
        expect(isValidFast(instance)).toBe(accepts);
        if (accepts) accepted += 1;
      }),
      { numRuns: 5000 },
    );
    expect(accepted).toBeGreaterThan(200);
  });

  it('never accepts what class-validator refuses (hostile variants of every event type)', () => {
    let fast = 0;
    let refused = 0;
    fc.assert(
      fc.property(hostileInboundEvent('fv-1'), (event) => {
        for (const [cls, plain] of dtosOf(event)) {
          if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) continue;
          validateDto(cls, plain, ''); // guards the class (nested fields) as the real path does
          const instance = instantiateDto(cls, plain);
          const accepts = classValidatorAccepts(instance);
          if (isValidFast(instance)) {
            fast += 1;
            expect(accepts).toBe(true);
          }
          if (!accepts) refused += 1;
        }
      }),
      { numRuns: 3000 },
    );
    // Exercised both ways: many refusals, and many inputs decided by the fast path.
    expect(refused).toBeGreaterThan(500);
    expect(fast).toBeGreaterThan(500);
  });

  it('decides every valid sample and demo touchpoint by itself', () => {
    const events: unknown[] = [
      ...INBOUND_EVENT_TYPES.map((type) => VALID_EVENT_SAMPLES[type]('fv-2')),
      ...demoTouchpoints({
        seed: 7,
        now: new Date('2026-06-01T00:00:00Z'),
        days: 30,
        customers: 40,
      }).map((e) => e),
    ];
    expect(events.length).toBeGreaterThan(100);
    for (const event of events)
      for (const [cls, plain] of dtosOf(event)) {
        const instance = instantiateDto(cls, plain as object);
        expect([classValidatorAccepts(instance), isValidFast(instance)]).toEqual([true, true]);
      }
  });
});
