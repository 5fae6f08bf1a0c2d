using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>
/// R13.2: a mutating request with an <c>Idempotency-Key</c> runs once per caller and key. A retry
/// with the same body gets the stored first response; with a different body, 422
/// <c>idempotency-key-reused</c>. Concurrent duplicates wait for the first to finish.
/// </summary>
public sealed class IdempotencyMiddleware(RequestDelegate next, Database database, NodaTime.IClock clock)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public async Task InvokeAsync(HttpContext context)
    {
        var key = context.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0 || !HttpMethods.IsPost(context.Request.Method) && !HttpMethods.IsPut(context.Request.Method) && !HttpMethods.IsDelete(context.Request.Method)
            || context.Items[typeof(Caller)] is not Caller caller)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        if (key.Length > 255)
        {
            await Problems.Invalid("Idempotency-Key", "An Idempotency-Key is at most 255 characters.").ExecuteAsync(context).ConfigureAwait(false);
            return;
        }

        var principal = caller.IsOperator ? "operator" : caller.AccountId!;
        context.Request.EnableBuffering();
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        context.Request.Body.Position = 0;
        var hash = Convert.ToHexStringLower(SHA256.HashData([.. Encoding.UTF8.GetBytes($"{context.Request.Method} {context.Request.Path}{context.Request.QueryString}\n"), .. buffer.ToArray()]));

        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var stored = Find(principal, key);
            if (stored is null)
            {
                if (Claim(principal, key, hash)) break;
                continue;
            }

            if (stored.Value.Hash != hash)
            {
                await Problems.Of(422, "idempotency-key-reused", "This Idempotency-Key was used with a different request.").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            if (stored.Value.Status != 0)
            {
                context.Response.StatusCode = stored.Value.Status;
                context.Response.ContentType = stored.Value.Status >= 400 ? "application/problem+json" : "application/json";
                context.Response.Headers["Idempotent-Replayed"] = "true";
                await context.Response.WriteAsync(stored.Value.Body, context.RequestAborted).ConfigureAwait(false);
                return;
            }

            if (waited.Elapsed > Patience)
            {
                await Problems.Of(409, "invalid-state", "The first request with this Idempotency-Key is still running; retry later.").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }

            await Task.Delay(50, context.RequestAborted).ConfigureAwait(false);
        }

        var original = context.Response.Body;
        using var captured = new MemoryStream();
        context.Response.Body = captured;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch
        {
            // The command threw before answering (bad JSON, a lost connection): nothing to replay, so the key is free again. The exception goes on to the problem handler.
            Release(principal, key);
            throw;
        }
        finally
        {
            context.Response.Body = original;
        }

        captured.Position = 0;
        var body = Encoding.UTF8.GetString(captured.ToArray());
        Complete(principal, key, context.Response.StatusCode, body);
        captured.Position = 0;
        await captured.CopyToAsync(original, context.RequestAborted).ConfigureAwait(false);
    }

    private (string Hash, int Status, string Body)? Find(string principal, string key)
    {
        using var session = database.BeginRead();
        var row = session.Query<(string Hash, long Status, string Body)>("SELECT request_hash, status_code, body FROM idempotency WHERE principal = @principal AND key = @key", new { principal, key }).ToList();
        session.Commit();
        return row.Count == 0 ? null : (row[0].Hash, (int)row[0].Status, row[0].Body);
    }

    private bool Claim(string principal, string key, string hash)
    {
        using var session = database.Begin();
        var inserted = session.Execute("INSERT INTO idempotency (principal, key, request_hash, status_code, body, created_at) VALUES (@principal, @key, @hash, 0, '', @now) ON CONFLICT DO NOTHING",
            new { principal, key, hash, now = clock.GetCurrentInstant().ToUnixTimeTicks() });
        session.Commit();
        return inserted == 1;
    }

    /// <summary>Stores the first response; a server error is not stored, so a retry runs again.</summary>
    private void Complete(string principal, string key, int status, string body)
    {
        if (status >= 500)
        {
            Release(principal, key);
            return;
        }

        using var session = database.Begin();
        session.Execute("UPDATE idempotency SET status_code = @status, body = @body WHERE principal = @principal AND key = @key", new { principal, key, status, body });
        session.Commit();
    }

    private void Release(string principal, string key)
    {
        using var session = database.Begin();
        session.Execute("DELETE FROM idempotency WHERE principal = @principal AND key = @key AND status_code = 0", new { principal, key });
        session.Commit();
    }
}
