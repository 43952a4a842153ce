/** Any path no other route claims: the root error boundary's friendly 404 (with the shop's header and footer). */
import { notFound } from "../lib/answers.server";

export const loader = () => {
  throw notFound();
};

export default function NotFound() {
  return null;
}
