import { looksLikeIdentity } from '../src/api/identity-query';

describe('console: one search box for names and identities', () => {
  it.each([
    'maria.rossi@example.com',
    '+49 30 123456',
    'email:ann@example.com',
    'social:instagram:maria',
    'visitor-demo-1',
    '4111 1111',
  ])('takes %s for an identity', (typed) => expect(looksLikeIdentity(typed)).toBe(true));

  it.each(['Maria', 'maria ro', 'Zoë', "O'Brien", '王小明'])('takes %s for a name', (typed) =>
    expect(looksLikeIdentity(typed)).toBe(false),
  );
});
