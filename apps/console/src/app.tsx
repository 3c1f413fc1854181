import { type ReactNode, useEffect, useState } from 'react';
import { NavLink, Route, Routes, useLocation, useNavigate } from 'react-router';
import { CALLBACK_PATH, useAuth } from './auth/auth';
import { type StaffRole } from './auth/roles';
import { AdminPage } from './pages/admin-page';
import { CustomerPage } from './pages/customer/customer-page';
import { FindCustomerPage } from './pages/find-customer-page';
import { IdeaBoardPage } from './pages/idea-board-page';
import { IdeaPage } from './pages/idea-page';
import { MergeSuggestionsPage } from './pages/merge-suggestions-page';
import { LabelledPage } from './pages/labelled-page';
import { AtRiskPage, ClosestPage } from './pages/lists-pages';
import { OperatorsPage } from './pages/operators-page';

export function App() {
  const auth = useAuth();
  const location = useLocation();
  if (location.pathname === CALLBACK_PATH) return <SignInCallback />;
  if (!auth.user) return <SignInPage />;
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Rapport</span>
        <nav aria-label="Main">
          <ul>
            {auth.has('agent') && (
              <>
                <li>
                  <NavLink to="/" end>
                    Find a customer
                  </NavLink>
                </li>
                <li>
                  <NavLink to="/closest">Closest</NavLink>
                </li>
                <li>
                  <NavLink to="/at-risk">At risk</NavLink>
                </li>
                <li>
                  <NavLink to="/labels">Labels</NavLink>
                </li>
                <li>
                  <NavLink to="/ideas">Ideas</NavLink>
                </li>
                <li>
                  <NavLink to="/merge-suggestions">Merge suggestions</NavLink>
                </li>
              </>
            )}
            {auth.has('data') && (
              <li>
                <NavLink to="/operators">Operators</NavLink>
              </li>
            )}
            {auth.has('admin') && (
              <li>
                <NavLink to="/admin">Administration</NavLink>
              </li>
            )}
          </ul>
        </nav>
        <span className="who" data-testid="signed-in-as">
          {auth.name} <span className="roles">({[...auth.roles].join(', ') || 'no role'})</span>
        </span>
        <button type="button" className="secondary" onClick={() => void auth.signOut()}>
          Sign out
        </button>
      </header>
      <main id="main" className="page" tabIndex={-1}>
        <Routes>
          <Route
            path="/"
            element={
              auth.has('agent') ? (
                <FindCustomerPage />
              ) : auth.has('data') ? (
                <OperatorsPage />
              ) : (
                <NoRole />
              )
            }
          />
          <Route path="/customers/:id" element={<Needs role="agent" page={<CustomerPage />} />} />
          <Route path="/closest" element={<Needs role="agent" page={<ClosestPage />} />} />
          <Route path="/at-risk" element={<Needs role="agent" page={<AtRiskPage />} />} />
          <Route path="/labels" element={<Needs role="agent" page={<LabelledPage />} />} />
          <Route path="/labels/:label" element={<Needs role="agent" page={<LabelledPage />} />} />
          <Route path="/ideas" element={<Needs role="agent" page={<IdeaBoardPage />} />} />
          <Route
            path="/merge-suggestions"
            element={<Needs role="agent" page={<MergeSuggestionsPage />} />}
          />
          <Route path="/ideas/:id" element={<Needs role="agent" page={<IdeaPage />} />} />
          <Route path="/operators" element={<Needs role="data" page={<OperatorsPage />} />} />
          <Route path="/admin" element={<Needs role="admin" page={<AdminPage />} />} />
          <Route path="*" element={<h1>Nothing here</h1>} />
        </Routes>
      </main>
    </>
  );
}

function Needs(props: { role: StaffRole; page: ReactNode }) {
  const auth = useAuth();
  if (auth.has(props.role)) return props.page;
  return (
    <>
      <h1>Not for your role</h1>
      <p>This page needs the {props.role} role.</p>
    </>
  );
}

function NoRole() {
  return (
    <>
      <h1>No role</h1>
      <p>You are signed in, but hold none of the roles agent, supervisor, data or admin.</p>
    </>
  );
}

function SignInPage() {
  const auth = useAuth();
  return (
    <main className="sign-in" id="main">
      <h1>Rapport console</h1>
      <p>Every touchpoint of a customer, across channels, in one place.</p>
      <button type="button" onClick={() => void auth.signIn()}>
        Sign in
      </button>
    </main>
  );
}

let callback: Promise<string> | undefined;

function SignInCallback() {
  const auth = useAuth();
  const navigate = useNavigate();
  const [error, setError] = useState<string>();
  useEffect(() => {
    // A code is redeemed once (StrictMode runs effects twice in development).
    callback ??= auth.completeSignIn();
    callback.then(
      (returnTo) => navigate(returnTo, { replace: true }),
      (e: unknown) => setError(e instanceof Error ? e.message : String(e)),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <main className="sign-in" id="main">
      <h1>Signing in…</h1>
      {error && (
        <>
          <p role="alert">The sign-in did not complete: {error}</p>
          <button type="button" onClick={() => void auth.signIn('/')}>
            Try again
          </button>
        </>
      )}
    </main>
  );
}
