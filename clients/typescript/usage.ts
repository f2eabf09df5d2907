// How a TypeScript app uses the types generated from docs/openapi.json (schema.d.ts, by openapi-typescript).
// `python -m infra.openapi --types` (in `make test`) type-checks this file against them: if the document stops
// describing a field, a status, an enum or a header that an app relies on, the build fails here.
import type { components, operations, paths } from "./schema";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;

export type Session = Json<operations["signUp"]["responses"][201]>;
export type SignUpBody = Json<NonNullable<operations["signUp"]["requestBody"]>>;
export type Me = Json<operations["getMe"]["responses"][200]>;
export type Gig = components["schemas"]["GigOut"];
export type NearbyGigsQuery = NonNullable<operations["listNearbyGigs"]["parameters"]["query"]>;
export type NearbyGigsPage = Json<operations["listNearbyGigs"]["responses"][200]>;
export type CreateGigBody = Json<NonNullable<operations["createGig"]["requestBody"]>>;
export type FundHeaders = operations["fundMilestone"]["parameters"]["header"];
export type FundAnswer = Json<operations["fundMilestone"]["responses"][200]>;
export type ApiError = components["schemas"]["ErrorEnvelope"];

/** The API's error, as every non-2xx answer carries it. */
export class GigConnectError extends Error {
  constructor(readonly status: number, readonly body: ApiError) {
    super(`${status} ${body.error.code}: ${body.error.message}`);
  }
}

async function send<T>(base: string, method: string, path: string, token: string | null, body?: unknown,
                       headers: Record<string, string> = {}): Promise<T> {
  const answer = await fetch(base + path, {
    method,
    headers: {
      "Content-Type": "application/json",
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const data: unknown = await answer.json();
  if (!answer.ok) throw new GigConnectError(answer.status, data as ApiError);
  return data as T;
}

/** Sign up, read /me, post a gig and find it nearby: the README's first request, typed end to end. */
export async function firstRequest(base: string): Promise<Gig[]> {
  const signup: SignUpBody = { email: "ada.obi@example.com", password: "correct horse battery", name: "Ada Obi",
                               roles: ["client"], location: { lat: 6.4541, lng: 3.3947 } };
  const session = await send<Session>(base, "POST", "/auth/signup", null, signup);
  const token: string = session.access_token;
  const expiresIn: number = session.expires_in;
  const me = await send<Me>(base, "GET", "/me", token);
  const verified: boolean = me.email_verified;
  const created: string = me.created_at;

  const gig: CreateGigBody = {
    title: "Fix a leaking kitchen tap", description: "It drips all night.", category: "plumbing",
    skills: ["plumbing"], remote: false, urgency: "high", location: { lat: 6.4541, lng: 3.3947 },
    budget: { min: { amount: 500000, currency: "NGN" }, max: { amount: 1500000, currency: "NGN" }, type: "fixed" },
  };
  const posted = await send<Gig>(base, "POST", "/gigs", token, gig, { "Idempotency-Key": crypto.randomUUID() });
  const open: Gig["status"] = posted.status;
  // @ts-expect-error a gig's status is one of the documented values
  const unknownStatus: Gig["status"] = "archived";

  const query: NearbyGigsQuery = { lat: 6.4541, lng: 3.3947, radius_km: 10, limit: 20 };
  const search = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const page = await send<NearbyGigsPage>(base, "GET", `/gigs/nearby?${search}`, token);
  const nearest: number | undefined = page.items[0]?.distance_km;
  const next: string | null | undefined = page.next_cursor;
  void [expiresIn, verified, created, open, unknownStatus, nearest, next];
  return page.items;
}

/** Pay a milestone into escrow: the Idempotency-Key is a required header of the operation. */
export async function fund(base: string, token: string, contractId: string, milestoneId: string,
                           key: FundHeaders["Idempotency-Key"]): Promise<FundAnswer> {
  const path: keyof paths = "/contracts/{contract_id}/milestones/{milestone_id}/fund";
  const url = path.replace("{contract_id}", contractId).replace("{milestone_id}", milestoneId);
  const answer = await send<FundAnswer>(base, "POST", url, token, { payment_method_id: "pm_card_visa" },
                                        { "Idempotency-Key": key });
  const secret: string = answer.payment.client_secret;
  const milestoneStatus: FundAnswer["milestone"]["status"] = answer.milestone.status;
  void [secret, milestoneStatus];
  return answer;
}

// @ts-expect-error fundMilestone cannot be called without its Idempotency-Key
const missingKey: FundHeaders = {};
void missingKey;
