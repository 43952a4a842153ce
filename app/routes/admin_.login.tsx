/**
 * The owner's login: password only, throttled (counted before the check: 5 attempts per 15 minutes per client network,
 * 100 from all clients together → 429). Not behind requireOwner.
 */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { AccessNotice } from "../components/admin/AccessNotice";
import { buttonClass, FormMessage } from "../components/admin/fields";
import { ErrorPage } from "../components/ErrorPage";
import { Field } from "../components/Field";
import { loadLoginPage, submitLogin } from "../lib/admin/auth.server";
import { ADMIN_NAME, adminMeta } from "../lib/admin/meta";
import type { PageHandle } from "../lib/page-scripts";
import { privateRouteHeaders } from "../lib/private-headers";

export const meta: MetaFunction = () => adminMeta("登入");
export const headers = privateRouteHeaders("owner");

/** Like the rest of the admin (admin.tsx), on the whole Remix runtime. */
export const handle: PageHandle = { scripts: "hydrate" };

export const loader = ({ request, context }: LoaderFunctionArgs) => loadLoginPage(context.cloudflare, request);
export const action = ({ request, context }: ActionFunctionArgs) => submitLogin(context.cloudflare, request);

export default function AdminLogin() {
  const { next, expired, accessNotice } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <div className="mx-auto max-w-sm py-6">
      <AccessNotice notice={accessNotice} />
      <h1 className="text-2xl font-bold text-stone-900">{ADMIN_NAME}登入</h1>
      <p className="mt-2 text-stone-700">請輸入店主密碼。</p>
      <div className="mt-4">
        <FormMessage error={result?.formError} success={!result && expired ? "登入已逾時，請重新登入。" : undefined} />
      </div>
      <Form method="post" className="mt-4 flex flex-col gap-4" noValidate>
        <input type="hidden" name="next" value={next} />
        <Field
          name="password"
          label="密碼"
          type="password"
          autoComplete="current-password"
          required
          error={result?.errors.password}
        />
        <button type="submit" className={buttonClass.primary} disabled={busy}>
          {busy ? "登入中…" : "登入"}
        </button>
      </Form>
    </div>
  );
}

export function ErrorBoundary() {
  return <ErrorPage area="admin" />;
}
