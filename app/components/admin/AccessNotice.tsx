/** The production admin's warning while Cloudflare Access is not configured (auth.server.ts decides when). */
export function AccessNotice({ notice }: { notice: string | null }) {
  if (!notice) return null;
  return (
    <div role="alert" className="mb-4 rounded-md border border-amber-500 bg-amber-50 px-4 py-3 text-amber-950">
      <p className="font-medium">{notice}</p>
    </div>
  );
}
