/**
 * HTTP API route selection: `METHOD /path` routes with `{param}` and greedy `{proxy+}` segments, `ANY`, and the
 * `$default` catch-all. The most specific match wins, as in API Gateway: literal segments beat `{param}`, which
 * beats `{proxy+}`; a route for the exact method beats `ANY`; `$default` comes last.
 */
import type { HttpRoute } from "../template";

export interface RouteMatch {
  route: HttpRoute;
  /** Absent when the route has no path variables (as in the real event). */
  pathParameters?: Record<string, string>;
  /** `GET /admin/orders/{id}`, or `$default`. */
  routeKey: string;
}

type Segment = { kind: "literal"; text: string } | { kind: "param"; name: string } | { kind: "greedy"; name: string };

function segmentsOf(path: string): string[] {
  return path === "/" ? [] : path.replace(/^\//, "").split("/");
}

function compile(path: string): Segment[] {
  return segmentsOf(path).map((text) => {
    const greedy = /^\{(.+)\+\}$/.exec(text);
    if (greedy) return { kind: "greedy", name: greedy[1] as string };
    const param = /^\{(.+)\}$/.exec(text);
    if (param) return { kind: "param", name: param[1] as string };
    return { kind: "literal", text };
  });
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** Per-segment specificity (2 literal, 1 param, 0 greedy) when the path matches, else undefined. */
function matchPath(
  pattern: Segment[],
  requestPath: string,
): { rank: number[]; parameters: Record<string, string> } | undefined {
  const actual = segmentsOf(requestPath);
  const rank: number[] = [];
  const parameters: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const segment = pattern[i] as Segment;
    if (segment.kind === "greedy") {
      // {proxy+} must be last and swallows at least one segment.
      const rest = actual.slice(i);
      if (i !== pattern.length - 1 || rest.length === 0 || rest.join("/") === "") return undefined;
      parameters[segment.name] = decodeSegment(rest.join("/"));
      rank.push(0);
      return { rank, parameters };
    }
    const value = actual[i];
    if (value === undefined) return undefined;
    if (segment.kind === "literal") {
      if (segment.text !== value) return undefined;
      rank.push(2);
    } else {
      if (value === "") return undefined;
      parameters[segment.name] = decodeSegment(value);
      rank.push(1);
    }
  }
  return actual.length === pattern.length ? { rank, parameters } : undefined;
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? -1) - (b[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

export function routeKeyOf(route: HttpRoute): string {
  return route.path === "$default" ? "$default" : `${route.method} ${route.path}`;
}

export function matchRoute(routes: HttpRoute[], method: string, path: string): RouteMatch | undefined {
  const upperMethod = method.toUpperCase();
  let best: { match: RouteMatch; rank: number[]; exactMethod: boolean } | undefined;
  for (const route of routes) {
    if (route.path === "$default") continue;
    if (route.method !== "ANY" && route.method !== upperMethod) continue;
    const matched = matchPath(compile(route.path), path);
    if (!matched) continue;
    const candidate = {
      match: {
        route,
        routeKey: routeKeyOf(route),
        ...(Object.keys(matched.parameters).length > 0 ? { pathParameters: matched.parameters } : {}),
      },
      rank: matched.rank,
      exactMethod: route.method !== "ANY",
    };
    const order = best ? compareRanks(candidate.rank, best.rank) : 1;
    if (!best || order > 0 || (order === 0 && candidate.exactMethod && !best.exactMethod)) best = candidate;
  }
  if (best) return best.match;
  const fallback = routes.find((route) => route.path === "$default");
  return fallback ? { route: fallback, routeKey: "$default" } : undefined;
}
