import { User, UserManager, WebStorageStateStore } from 'oidc-client-ts';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
} from 'react';
import { type ConsoleConfig } from '../config';
import { rolesInToken, type StaffRole } from './roles';

export const CALLBACK_PATH = '/callback';

export interface Auth {
  readonly user: User | null;
  readonly name: string;
  readonly roles: ReadonlySet<StaffRole>;
  has(role: StaffRole): boolean;
  signIn(returnTo?: string): Promise<void>;
  signOut(): Promise<void>;
  /** Completes the redirect back from the issuer; answers where the user was going. */
  completeSignIn(): Promise<string>;
  accessToken(): string | undefined;
}

const AuthContext = createContext<Auth | null>(null);

export function createUserManager(config: ConsoleConfig): UserManager {
  const origin = window.location.origin;
  return new UserManager({
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    post_logout_redirect_uri: `${origin}/`,
    response_type: 'code',
    scope: config.scope,
    // The session ends with the tab; a token is never written to localStorage.
    userStore: new WebStorageStateStore({ store: window.sessionStorage }),
    automaticSilentRenew: false,
    loadUserInfo: false,
    ...(config.resource
      ? {
          extraQueryParams: { resource: config.resource },
          extraTokenParams: { resource: config.resource },
        }
      : {}),
  });
}

export function AuthProvider(props: {
  config: ConsoleConfig;
  manager: UserManager;
  children: ReactNode;
}) {
  const { config, manager } = props;
  const [user, setUser] = useState<User | null>(null);
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    let live = true;
    void manager.getUser().then((u) => {
      if (!live) return;
      setUser(u && !u.expired ? u : null);
      setLoaded(true);
    });
    const onLoaded = (u: User) => setUser(u);
    const onGone = () => setUser(null);
    manager.events.addUserLoaded(onLoaded);
    manager.events.addUserUnloaded(onGone);
    manager.events.addAccessTokenExpired(onGone);
    return () => {
      live = false;
      manager.events.removeUserLoaded(onLoaded);
      manager.events.removeUserUnloaded(onGone);
      manager.events.removeAccessTokenExpired(onGone);
    };
  }, [manager]);

  const signIn = useCallback(
    (returnTo?: string) =>
      manager.signinRedirect({
        state: { returnTo: returnTo ?? window.location.pathname + window.location.search },
      }),
    [manager],
  );
  const signOut = useCallback(async () => {
    const current = await manager.getUser();
    await manager.removeUser();
    await manager.signoutRedirect(current?.id_token ? { id_token_hint: current.id_token } : {});
  }, [manager]);
  const completeSignIn = useCallback(async () => {
    const u = await manager.signinRedirectCallback();
    setUser(u);
    const state = u.state as { returnTo?: string } | undefined;
    return state?.returnTo && state.returnTo.startsWith('/') && state.returnTo !== CALLBACK_PATH
      ? state.returnTo
      : '/';
  }, [manager]);

  const auth = useMemo<Auth>(() => {
    const roles = user ? rolesInToken(user.access_token, config.rolesClaim) : new Set<StaffRole>();
    return {
      user,
      name: (user?.profile.name as string | undefined) ?? user?.profile.sub ?? '',
      roles,
      has: (role) => roles.has(role),
      signIn,
      signOut,
      completeSignIn,
      accessToken: () => user?.access_token,
    };
  }, [user, config.rolesClaim, signIn, signOut, completeSignIn]);

  if (!loaded) return null;
  return <AuthContext.Provider value={auth}>{props.children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside AuthProvider');
  return auth;
}
