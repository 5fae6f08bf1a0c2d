namespace Tenure.Api;

/// <summary>A browsable API reference rendered in the browser from <c>/openapi/v1.json</c>, with no external assets.</summary>
public static class Reference
{
    public const string Html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>Tenure API reference</title>
        <style>body{font:15px system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}code{background:#f3f3f3;padding:0 .3em}
        .op{border-top:1px solid #ddd;padding:.6rem 0}.m{display:inline-block;width:4.5rem;font-weight:600}</style></head>
        <body><h1>Tenure API</h1><p>The OpenAPI document is at <a href="/openapi/v1.json"><code>/openapi/v1.json</code></a>.
        Send <code>Authorization: Bearer &lt;key&gt;</code>; errors are <code>application/problem+json</code>.</p>
        <div id="ops">Loading…</div>
        <script>
        fetch('/openapi/v1.json').then(r => r.json()).then(doc => {
          const ops = document.getElementById('ops'); ops.textContent = '';
          for (const [path, item] of Object.entries(doc.paths)) for (const [method, op] of Object.entries(item)) {
            const div = document.createElement('div'); div.className = 'op';
            const m = document.createElement('span'); m.className = 'm'; m.textContent = method.toUpperCase();
            const p = document.createElement('code'); p.textContent = path;
            div.append(m, p, document.createTextNode(' ' + Object.keys(op.responses || {}).join(' ')));
            ops.append(div);
          }
        });
        </script></body></html>
        """;
}
