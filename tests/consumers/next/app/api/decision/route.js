// A route handler: the connection your backend got from Meld, decided and explained per request.
import { decide, explain } from "meld-repair";

export async function POST(request) {
  const connection = await request.json();
  return Response.json({ decision: decide(connection), explanation: explain(connection, { locale: "es" }) });
}
