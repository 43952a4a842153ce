/** The owner's login: password only, throttled (5 failures per 15 minutes per client → 429). Not behind requireOwner. */
import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/cloudflare";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { readForm } from "../../worker/form-body";
import { AdminErrorBoundary } from "../components/admin/AdminErrorBoundary";
import { buttonClass, FormMessage, TextField } from "../components/admin/fields";
import { adminGate, loadLoginPage, logIn, loginSchema } from "../lib/admin-auth.server";
import { parseForm } from "../lib/admin-forms.server";
import { ADMIN_NAME, adminMeta, adminRouteHeaders } from "../lib/admin-meta";

export const meta: MetaFunction = () => adminMeta("登入");
export const headers = adminRouteHeaders;

export const loader = ({ request, context }: LoaderFunctionArgs) => loadLoginPage(request, context.cloudflare);

export const action = async ({ request, context }: ActionFunctionArgs) => {
  const gate = await adminGate(request, context.cloudflare);
  const form = parseForm(loginSchema, await readForm(request));
  return logIn(request, context.cloudflare, gate, form);
};

export default function AdminLogin() {
  const { next, expired } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  return (
    <div className="mx-auto max-w-sm py-6">
      <h1 className="text-2xl font-bold text-stone-900">{ADMIN_NAME}登入</h1>
      <p className="mt-2 text-stone-700">請輸入店主密碼。</p>
      <div className="mt-4">
        <FormMessage error={result?.formError} success={!result && expired ? "登入已逾時，請重新登入。" : undefined} />
      </div>
      <Form method="post" className="mt-4 flex flex-col gap-4" noValidate>
        <input type="hidden" name="next" value={next} />
        <TextField
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

export const ErrorBoundary = AdminErrorBoundary;
