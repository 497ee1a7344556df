/**
 * When the console has not been built (a development checkout that ran only
 * the server build), / says how to build it instead of answering 404.
 */
export function consolePlaceholder(version: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mailroom</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1f2933}code{background:#f0f4f8;padding:.1rem .3rem}</style>
</head>
<body>
<h1>Mailroom ${version}</h1>
<p>Server-side synchronization is running. The admin console has not been built: run
<code>npm run build:console</code> (or <code>npm start</code>, which builds everything) and reload.</p>
<ul>
<li>Health: <a href="/api/health"><code>/api/health</code></a></li>
<li>API reference (OpenAPI 3.1): <a href="/api/openapi.json"><code>/api/openapi.json</code></a></li>
</ul>
</body>
</html>
`;
}
