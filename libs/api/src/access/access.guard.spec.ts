import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { APP_GUARD, NestFactory } from '@nestjs/core';
import { TestIssuer } from '@rapport/testing';
import request from 'supertest';
import { ProblemFilter } from '../http/problem.filter';
import { Access } from './access-policy';
import { AccessGuard, RoleGuard, STAFF_TOKEN_VERIFIER } from './access.guard';
import { StaffTokenVerifier } from './staff-token-verifier';

@Controller('probe')
class ProbeController {
  @Get('undeclared')
  undeclared() {
    return { leaked: true };
  }

  @Access.staff('supervisor')
  @Get('supervisors')
  supervisors() {
    return { ok: true };
  }
}

describe('AccessGuard', () => {
  let issuer: TestIssuer;
  let app: INestApplication;

  beforeAll(async () => {
    issuer = await TestIssuer.start();
    @Module({
      controllers: [ProbeController],
      providers: [
        {
          provide: STAFF_TOKEN_VERIFIER,
          useValue: new StaffTokenVerifier({
            issuer: issuer.url,
            audience: 'rapport',
            rolesClaim: 'realm_access.roles',
            algorithms: ['RS256'],
          }),
        },
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_GUARD, useClass: RoleGuard },
      ],
    })
    class ProbeModule {}
    app = await NestFactory.create(ProbeModule, { logger: false });
    app.useGlobalFilters(new ProblemFilter());
    await app.init();
  });
  afterAll(async () => {
    await app.close();
    await issuer.close();
  });

  it('refuses a route without a policy, even to an admin', async () => {
    const token = await issuer.token({ roles: ['admin', 'supervisor'] });
    const res = await request(app.getHttpServer())
      .get('/probe/undeclared')
      .set('authorization', `Bearer ${token}`)
      .expect(403);
    expect(res.body).toMatchObject({ status: 403, detail: 'this route has no access policy' });
  });

  it('reads roles from a configurable claim path (here realm_access.roles)', async () => {
    // TestIssuer puts roles in `roles`: under this configuration they are not seen.
    const flat = await issuer.token({ roles: ['supervisor'] });
    await request(app.getHttpServer())
      .get('/probe/supervisors')
      .set('authorization', `Bearer ${flat}`)
      .expect(403);
  });

  it('asks for a bearer token with WWW-Authenticate, and names an invalid one', async () => {
    const none = await request(app.getHttpServer()).get('/probe/supervisors').expect(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="rapport"');
    const expired = await request(app.getHttpServer())
      .get('/probe/supervisors')
      .set('authorization', `Bearer ${await issuer.token({ expiresIn: -300 })}`)
      .expect(401);
    expect(expired.headers['www-authenticate']).toContain('error="invalid_token"');
    expect(expired.body.detail).toBe('the token has expired');
  });
});
