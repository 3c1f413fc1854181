import { customerRedirectsFrom } from './customer-redirects';
import { decideIdeaAbsorb, decideIdeaMerge } from './decide-idea';
import { foldIdea, supportersOf, voteCountOf } from './idea';
import {
  type IdeaEvent,
  type IdeaStatus,
  ideaCommented,
  ideaMerged,
  ideaStatusChanged,
  ideaSubmitted,
  ideaVoteWithdrawn,
  ideaVoted,
} from './idea-events';
import {
  ANN,
  AT,
  BOB,
  BY_STAFF,
  IDEA,
  STAFF_ID,
  given,
  submittedBy,
  thenEvents,
  thenRefused,
  viaTouchpoint,
} from './idea.fixtures';

const submitted = submittedBy(ANN);
const status = (from: IdeaStatus, to: IdeaStatus, reason?: string): IdeaEvent =>
  ideaStatusChanged({
    ideaId: IDEA,
    from,
    to,
    staffId: STAFF_ID,
    at: AT,
    ...(reason ? { reason } : {}),
  });
const PATH: IdeaStatus[] = ['new', 'under_review', 'planned', 'in_progress', 'shipped'];
const historyTo = (target: IdeaStatus): IdeaEvent[] => {
  if (target === 'declined') return [status('new', 'declined', 'out of scope')];
  const out: IdeaEvent[] = [];
  for (let i = 1; i <= PATH.indexOf(target); i += 1) out.push(status(PATH[i - 1], PATH[i]));
  return out;
};

describe('submit', () => {
  it('records the idea and the submitter’s vote, linked to the source touchpoint', () => {
    const origin = viaTouchpoint('tp-9', 'chat');
    expect(
      thenEvents(
        given([], {
          kind: 'submit',
          ideaId: IDEA,
          title: '  Dark mode ',
          customerId: ANN,
          origin,
          at: AT,
        }),
      ),
    ).toEqual([
      ideaSubmitted({ ideaId: IDEA, title: 'Dark mode', customerId: ANN, origin, at: AT }),
      ideaVoted({ ideaId: IDEA, customerId: ANN, origin, at: AT }),
    ]);
  });

  it('records a staff submission on a customer’s behalf as such', () => {
    const [event] = thenEvents(
      given([], {
        kind: 'submit',
        ideaId: IDEA,
        title: 'Gift wrap',
        description: 'heard in store',
        customerId: BOB,
        origin: BY_STAFF,
        at: AT,
      }),
    );
    expect(event.data).toMatchObject({
      customerId: BOB,
      origin: { kind: 'staff', staffId: STAFF_ID },
      description: 'heard in store',
    });
  });

  it('refuses an idea id that exists', () => {
    expect(
      thenRefused(
        given(submitted, {
          kind: 'submit',
          ideaId: IDEA,
          title: 'x',
          customerId: BOB,
          origin: BY_STAFF,
          at: AT,
        }),
      ).code,
    ).toBe('idea-exists');
  });

  it('recognises a redelivered touchpoint', () => {
    expect(
      thenRefused(
        given(submitted, {
          kind: 'submit',
          ideaId: IDEA,
          title: 'x',
          customerId: ANN,
          origin: viaTouchpoint(`tp-${IDEA}`),
          at: AT,
        }),
      ).code,
    ).toBe('duplicate-touchpoint');
  });

  it.each([
    ['title', { title: '   ' }],
    ['title', { title: 'x'.repeat(201) }],
    ['description', { title: 'ok', description: '' }],
  ])('refuses a bad %s', (path, fields) => {
    const refusal = thenRefused(
      given([], {
        kind: 'submit',
        ideaId: IDEA,
        customerId: ANN,
        origin: BY_STAFF,
        at: AT,
        ...fields,
      } as never),
    );
    expect(refusal).toMatchObject({ code: 'invalid-field', path });
  });
});

describe('vote', () => {
  it('adds a customer’s vote', () => {
    const origin = viaTouchpoint('mail-1', 'email');
    expect(thenEvents(given(submitted, { kind: 'vote', customerId: BOB, origin, at: AT }))).toEqual(
      [ideaVoted({ ideaId: IDEA, customerId: BOB, origin, at: AT })],
    );
  });

  it('records a staff vote on behalf of a customer with the staff member', () => {
    const [event] = thenEvents(
      given(submitted, { kind: 'vote', customerId: BOB, origin: BY_STAFF, at: AT }),
    );
    expect(event.data).toMatchObject({
      customerId: BOB,
      origin: { kind: 'staff', staffId: STAFF_ID },
    });
  });

  it('refuses a second vote of the same customer', () => {
    expect(
      thenRefused(given(submitted, { kind: 'vote', customerId: ANN, origin: BY_STAFF, at: AT }))
        .code,
    ).toBe('already-voted');
  });

  it('refuses a second vote of a customer merged into one who voted', () => {
    const redirects = customerRedirectsFrom(new Map([['ann-2', ANN]]));
    const refusal = thenRefused(
      given(submitted, { kind: 'vote', customerId: 'ann-2', origin: BY_STAFF, at: AT }, redirects),
    );
    expect(refusal.code).toBe('already-voted');
  });

  it('recognises a redelivered touchpoint', () => {
    const origin = viaTouchpoint('mail-1', 'email');
    const voted = [...submitted, ideaVoted({ ideaId: IDEA, customerId: BOB, origin, at: AT })];
    expect(thenRefused(given(voted, { kind: 'vote', customerId: BOB, origin, at: AT })).code).toBe(
      'duplicate-touchpoint',
    );
  });

  it.each(['shipped', 'declined'] as const)('refuses votes on a %s idea', (closed) => {
    const refusal = thenRefused(
      given([...submitted, ...historyTo(closed)], {
        kind: 'vote',
        customerId: BOB,
        origin: BY_STAFF,
        at: AT,
      }),
    );
    expect(refusal).toMatchObject({ code: 'idea-closed', status: closed });
  });

  it('refuses an idea that does not exist', () => {
    expect(
      thenRefused(given([], { kind: 'vote', customerId: BOB, origin: BY_STAFF, at: AT })).code,
    ).toBe('unknown-idea');
  });
});

describe('withdraw vote', () => {
  it('withdraws the vote', () => {
    expect(
      thenEvents(
        given(submitted, { kind: 'withdraw-vote', customerId: ANN, origin: BY_STAFF, at: AT }),
      ),
    ).toEqual([ideaVoteWithdrawn({ ideaId: IDEA, customerId: ANN, origin: BY_STAFF, at: AT })]);
  });

  it('withdraws every vote the person cast under merged ids', () => {
    const both = [
      ...submitted,
      ideaVoted({ ideaId: IDEA, customerId: 'ann-2', origin: BY_STAFF, at: AT }),
    ];
    const redirects = customerRedirectsFrom(new Map([['ann-2', ANN]]));
    const events = thenEvents(
      given(
        both,
        { kind: 'withdraw-vote', customerId: 'ann-2', origin: BY_STAFF, at: AT },
        redirects,
      ),
    );
    expect(events.map((e) => (e.data as { customerId: string }).customerId)).toEqual(
      ['ann-2', ANN].sort(),
    );
    expect(voteCountOf(foldIdea([...both, ...events])!, redirects)).toBe(0);
  });

  it('refuses a customer who does not support the idea', () => {
    expect(
      thenRefused(
        given(submitted, { kind: 'withdraw-vote', customerId: BOB, origin: BY_STAFF, at: AT }),
      ).code,
    ).toBe('not-voted');
  });
});

describe('comment', () => {
  it('adds a comment', () => {
    const author = { kind: 'customer' as const, customerId: BOB };
    expect(
      thenEvents(
        given(submitted, { kind: 'comment', commentId: 'c1', author, text: ' +1 ', at: AT }),
      ),
    ).toEqual([ideaCommented({ ideaId: IDEA, commentId: 'c1', author, text: '+1', at: AT })]);
  });

  it.each([' ', 'x'.repeat(4001)])('refuses an empty or overlong text', (text) => {
    const author = { kind: 'staff' as const, staffId: STAFF_ID };
    expect(
      thenRefused(given(submitted, { kind: 'comment', commentId: 'c1', author, text, at: AT }))
        .code,
    ).toBe('invalid-field');
  });
});

describe('change status', () => {
  const legal: [IdeaStatus, IdeaStatus][] = [
    ['new', 'under_review'],
    ['under_review', 'planned'],
    ['planned', 'in_progress'],
    ['in_progress', 'shipped'],
    ['new', 'declined'],
    ['under_review', 'declined'],
    ['planned', 'declined'],
    ['in_progress', 'declined'],
  ];
  it.each(legal)('moves %s → %s', (from, to) => {
    const reason = to === 'declined' ? 'not for us' : undefined;
    const history = [...submitted, ...historyTo(from)];
    expect(
      thenEvents(given(history, { kind: 'change-status', to, reason, staffId: STAFF_ID, at: AT })),
    ).toEqual([status(from, to, reason)]);
  });

  const statuses: IdeaStatus[] = [
    'new',
    'under_review',
    'planned',
    'in_progress',
    'shipped',
    'declined',
  ];
  const illegal = statuses.flatMap((from) =>
    statuses
      .filter((to) => !legal.some(([f, t]) => f === from && t === to))
      .map((to) => [from, to] as const),
  );
  it.each(illegal)('refuses %s → %s with the allowed statuses', (from, to) => {
    const history = [...submitted, ...historyTo(from)];
    const refusal = thenRefused(
      given(history, { kind: 'change-status', to, reason: 'r', staffId: STAFF_ID, at: AT }),
    );
    expect(refusal).toMatchObject({ code: 'illegal-transition', path: 'to', status: from });
    expect(refusal.message).toContain(`is ${from}`);
  });

  it.each([undefined, '  '])('refuses declining without a reason (%p)', (reason) => {
    expect(
      thenRefused(
        given(submitted, {
          kind: 'change-status',
          to: 'declined',
          reason,
          staffId: STAFF_ID,
          at: AT,
        }),
      ).code,
    ).toBe('reason-required');
  });

  it('keeps the history and the decline reason', () => {
    const idea = foldIdea([
      ...submitted,
      status('new', 'under_review'),
      status('under_review', 'declined', 'dup'),
    ])!;
    expect(idea.history.map((h) => h.status)).toEqual(['new', 'under_review', 'declined']);
    expect(idea.declineReason).toBe('dup');
  });
});

describe('merge', () => {
  const other = 'idea-2';
  const dupEvents = [
    ...submittedBy(BOB, other, 'Night theme'),
    ideaVoted({ ideaId: other, customerId: ANN, origin: BY_STAFF, at: AT }),
    ideaCommented({
      ideaId: other,
      commentId: 'c9',
      author: { kind: 'customer', customerId: BOB },
      text: 'pls',
      at: AT,
    }),
  ];

  it('closes the duplicate and takes its supporters (a set union) and comments into the survivor', () => {
    const decision = decideIdeaMerge(foldIdea(dupEvents), foldIdea(submitted), {
      staffId: STAFF_ID,
      at: AT,
    });
    if (!decision.ok) throw new Error('refused');
    const { duplicate, survivor } = decision.value;
    const expected = {
      mergedIdeaId: other,
      survivorIdeaId: IDEA,
      staffId: STAFF_ID,
      at: AT,
    };
    expect(duplicate).toMatchObject({
      type: 'idea.merged.v1',
      data: { ideaId: other, ...expected },
    });
    expect(survivor).toMatchObject({ type: 'idea.merged.v1', data: { ideaId: IDEA, ...expected } });
    const merged = foldIdea([...submitted, survivor])!;
    expect(supportersOf(merged, (id) => id)).toEqual([ANN, BOB].sort());
    expect(merged.comments).toEqual([
      expect.objectContaining({ commentId: 'c9', movedFrom: other }),
    ]);
    expect(merged.mergedFrom).toEqual([other]);
    const closed = foldIdea([...dupEvents, duplicate])!;
    expect(closed.mergedInto).toBe(IDEA);
  });

  it('redirects every later command on the merged idea', () => {
    const data = {
      ideaId: other,
      mergedIdeaId: other,
      survivorIdeaId: IDEA,
      votes: [],
      comments: [],
      staffId: STAFF_ID,
      at: AT,
    };
    const refusal = thenRefused(
      given([...dupEvents, ideaMerged(data)], {
        kind: 'vote',
        customerId: 'x',
        origin: BY_STAFF,
        at: AT,
      }),
    );
    expect(refusal).toMatchObject({ code: 'idea-merged', redirectTo: IDEA });
  });

  it('refuses merging an idea into itself, a missing idea, or a merged one', () => {
    const cmd = { staffId: STAFF_ID, at: AT };
    const refusal = (d: ReturnType<typeof decideIdeaMerge>) => (d.ok ? null : d.errors[0].code);
    expect(refusal(decideIdeaMerge(foldIdea(submitted), foldIdea(submitted), cmd))).toBe(
      'merge-into-itself',
    );
    expect(refusal(decideIdeaMerge(foldIdea(submitted), null, cmd))).toBe('unknown-idea');
    const data = {
      ideaId: other,
      mergedIdeaId: other,
      survivorIdeaId: 'idea-3',
      votes: [],
      comments: [],
      staffId: STAFF_ID,
      at: AT,
    };
    expect(
      refusal(
        decideIdeaMerge(foldIdea([...dupEvents, ideaMerged(data)]), foldIdea(submitted), cmd),
      ),
    ).toBe('idea-merged');
    expect(
      refusal(
        decideIdeaMerge(foldIdea(submitted), foldIdea([...dupEvents, ideaMerged(data)]), cmd),
      ),
    ).toBe('idea-merged');
  });

  it('absorbs once: a retried survivor half writes nothing', () => {
    const decision = decideIdeaMerge(foldIdea(dupEvents), foldIdea(submitted), {
      staffId: STAFF_ID,
      at: AT,
    });
    if (!decision.ok) throw new Error('refused');
    const survivorEvent = decision.value.survivor;
    const data = survivorEvent.data as Parameters<typeof decideIdeaAbsorb>[1];
    expect(thenEvents(decideIdeaAbsorb(foldIdea(submitted), data))).toHaveLength(1);
    expect(thenEvents(decideIdeaAbsorb(foldIdea([...submitted, survivorEvent]), data))).toEqual([]);
  });
});

describe('score (RICE)', () => {
  it('records the staff estimate', () => {
    const events = thenEvents(
      given(submitted, {
        kind: 'score',
        reach: 500,
        impact: 2,
        confidence: 0.8,
        effort: 4,
        staffId: STAFF_ID,
        at: AT,
      }),
    );
    expect(events).toEqual([
      {
        type: 'idea.rice-scored.v1',
        data: {
          ideaId: IDEA,
          reach: 500,
          impact: 2,
          confidence: 0.8,
          effort: 4,
          staffId: STAFF_ID,
          at: AT,
        },
      },
    ]);
    expect(foldIdea([...submitted, ...events])!.rice).toEqual({
      reach: 500,
      impact: 2,
      confidence: 0.8,
      effort: 4,
    });
  });

  it.each([
    ['reach', { reach: -1 }],
    ['impact', { impact: Number.NaN }],
    ['confidence', { confidence: 1.5 }],
    ['effort', { effort: 0 }],
  ])('refuses a bad %s', (path, fields) => {
    const cmd = {
      kind: 'score' as const,
      reach: 1,
      impact: 1,
      confidence: 1,
      effort: 1,
      staffId: STAFF_ID,
      at: AT,
      ...fields,
    };
    expect(thenRefused(given(submitted, cmd))).toMatchObject({ code: 'invalid-field', path });
  });
});

describe('merge and redelivered touchpoints', () => {
  it('recognises a touchpoint that voted on the duplicate once its votes moved to the survivor', () => {
    const origin = viaTouchpoint('mail-7', 'email');
    const dup = [
      ...submittedBy(BOB, 'idea-2'),
      ideaVoted({ ideaId: 'idea-2', customerId: 'cy', origin, at: AT }),
    ];
    const decision = decideIdeaMerge(foldIdea(dup), foldIdea(submitted), {
      staffId: STAFF_ID,
      at: AT,
    });
    if (!decision.ok) throw new Error('refused');
    const survivor = [...submitted, decision.value.survivor];
    expect(
      thenRefused(given(survivor, { kind: 'vote', customerId: 'cy', origin, at: AT })).code,
    ).toBe('duplicate-touchpoint');
  });
});
