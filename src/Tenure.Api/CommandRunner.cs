using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using NodaTime;
using Tenure.Domain;
using Tenure.Domain.Accounts;
using Tenure.Domain.Instances;
using Tenure.Domain.Money;
using Tenure.Domain.Payments;
using Tenure.Engine.Lifecycle;
using Tenure.Engine.Payments;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>What a command decided: a change to write with the answer to give once written, an answer alone, or a refusal.</summary>
public abstract record Decision
{
    private Decision()
    {
    }

    public static implicit operator Decision(ProblemHttpResult problem) => new Refused(problem);

    public static implicit operator Decision(Refusal refusal) => new Refused(Problems.From(refusal));

    public static implicit operator Decision(Reply reply) => new Answered(reply);

    /// <summary>A domain decision's outcome: its change written and answered, or its refusal.</summary>
    public static Decision Of(Outcome<Change> outcome, Func<Written, Reply> answer) =>
        outcome.Refusal is { } refusal ? refusal : new Write(outcome.Value, answer);

    /// <summary>Writes <paramref name="Change"/> (state and every effect), then answers from what was written.</summary>
    public sealed record Write(Change Change, Func<Written, Reply> Answer) : Decision;

    public sealed record Answered(Reply Reply) : Decision;

    /// <summary>
    /// R7.9: the change asked for payment <paramref name="PaymentId"/> and is written payment-pending; once it succeeded,
    /// its settlement is answered with <paramref name="Answer"/>.
    /// </summary>
    public sealed record Paying(string PaymentId, Func<Written, Reply> Answer) : Decision;

    /// <summary>Nothing the command wrote (its catch-up included) is kept; the problem is the answer.</summary>
    public sealed record Refused(ProblemHttpResult Problem) : Decision;
}

/// <summary>A success answer: its status, its JSON body and, for 201 and 202, where the resource lives.</summary>
public sealed record Reply(int Status, object Body, string? Location = null)
{
    public static Reply Ok(object body) => new(200, body);

    public static Reply Created(string location, object body) => new(201, body, location);

    public static Reply Accepted(string location, object body) => new(202, body, location);
}

/// <summary>R7.9: the answer 202 of a command whose payment is pending: its result is at <c>/v1/payments/{paymentId}</c>.</summary>
public sealed record PaymentPendingAnswer(string PaymentId, string Status);

/// <summary>A change as written: the order ID it got, if it made an order.</summary>
public sealed record Written(Change Change, string? OrderId);

/// <summary>What a command decides on: the instances (in the order asked), their account and its now, after catch-up.</summary>
public sealed record Target(IReadOnlyList<Instance> Instances, AccountState State)
{
    /// <summary>The one instance of a single-instance command.</summary>
    public Instance Instance => Instances[0];

    public Account Account => State.Account;

    public Instant Now => State.Now;

    public AccountRow Row => State.Row;
}

/// <summary>
/// The one way a request changes state (DESIGN.md, "One command path"). In one unit of work of the
/// <see cref="Writer"/> it claims the <c>Idempotency-Key</c> (a completed key replays, a different
/// request with it is 422), locks the instances in ID order and then their account, loads each once
/// with the account's coupons and now, runs due events, calls the domain's decision, writes the
/// change and the answer to replay, and commits. A refusal undoes the command and stores its
/// problem in the same way, so after any crash a retry replays the first answer or runs once.
/// A change that asks for a payment (R7.9) is committed payment-pending with the answer 202; the runner then calls the
/// gateway itself, bounded by its timeout, and a final answer settles in a second unit of work that also replaces the
/// stored answer, so a replay gives the first answer or the final one and the payment is asked once, by its key.
/// </summary>
public sealed class CommandRunner(
    Writer writer, Rules rules, IClock clock, LifecycleEngine engine, PaymentOptions payments, PaymentGateway gateway)
{
    private const int MaxKeyLength = 255;

    private static readonly JsonSerializerOptions JsonOptions = CreateJsonOptions();

    public Rules Rules { get; } = rules;

    /// <summary>
    /// A command on instances of one account, in the order <paramref name="ids"/> lists them: 404 when
    /// one is missing or the caller's key may not see it (R13.1), 400 on <paramref name="field"/> when they span accounts.
    /// </summary>
    public Task<IResult> OnInstances(
        HttpContext http, IReadOnlyList<string> ids, Func<Target, Decision> decide, string field = "instanceIds") =>
        OnInstances(http, ids, (_, target) => decide(target), field);

    /// <summary>As the other overload, for commands that also keep rows of their own in the session (usage samples).</summary>
    public Task<IResult> OnInstances(
        HttpContext http, IReadOnlyList<string> ids, Func<Session, Target, Decision> decide, string field = "instanceIds") =>
        Run(http, async session =>
        {
            var caller = http.Caller();
            var locked = await session.LockInstancesAsync([.. ids], CancellationToken.None).ConfigureAwait(false);
            var byId = locked.ToDictionary(i => i.Id.Value, StringComparer.Ordinal);
            if (ids.FirstOrDefault(id => !byId.TryGetValue(id, out var found) || !caller.Sees(found.AccountId.Value)) is { } unseen)
            {
                return Problems.NotFound($"Instance {unseen}");
            }

            if (locked.Select(i => i.AccountId).Distinct().Count() > 1)
            {
                return Problems.Invalid(field, "The instances must belong to one account.");
            }

            var accountId = locked[0].AccountId.Value;
            var states = await LockAccountAsync(session, accountId).ConfigureAwait(false);
            var state = states[accountId];
            var accounts = new Dictionary<string, Account> { [accountId] = state.Account };
            var current = engine.CatchUp(session, locked, accounts, state.Row.ClockId, state.Now);
            if (!ReferenceEquals(current, locked))
            {
                // The caught-up rows go out before the decision's rows for the same instances.
                await session.FlushAsync().ConfigureAwait(false);
                byId = current.ToDictionary(i => i.Id.Value, StringComparer.Ordinal);
                state = state with { Account = accounts[accountId] };
            }

            return Save(session, new Target([.. ids.Select(id => byId[id])], state), decide);
        });

    /// <summary>
    /// A command on an account the caller may see (404 otherwise); with <paramref name="withInstances"/>
    /// its instances are locked first and given to the decision, the engine's lock order.
    /// </summary>
    public Task<IResult> OnAccount(HttpContext http, string accountId, Func<Target, Decision> decide, bool withInstances = false) =>
        OnAccount(http, accountId, (_, target) => decide(target), withInstances);

    /// <summary>As the other overload, for commands that also keep rows of their own in the session (contacts, webhook).</summary>
    public Task<IResult> OnAccount(
        HttpContext http, string accountId, Func<Session, Target, Decision> decide, bool withInstances = false) =>
        Run(http, async session =>
        {
            if (!http.Caller().Sees(accountId)) return Problems.NotFound($"Account {accountId}");
            var instances = withInstances
                ? await session.LockAccountInstancesAsync(accountId, CancellationToken.None).ConfigureAwait(false)
                : [];
            var states = await LockAccountAsync(session, accountId).ConfigureAwait(false);
            return states.TryGetValue(accountId, out var state)
                ? Save(session, new Target(instances, state), decide)
                : Problems.NotFound($"Account {accountId}");
        });

    /// <summary>
    /// Runs <paramref name="command"/> as one unit of work with the request's Idempotency-Key, and answers
    /// with what was committed (or replays the first answer to that key).
    /// </summary>
    public async Task<IResult> Run(HttpContext http, Func<Session, Task<Decision>> command)
    {
        var caller = http.Caller();
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (KeyProblem(http) is { } problem) return problem;
        var hash = key.Length == 0 ? null : await FingerprintAsync(http.Request).ConfigureAwait(false);
        var principal = caller.Principal;
        var committed = await writer.RunAsync(async session =>
        {
            // The middleware read the key before this unit of work: a revocation committed since then holds here (R13.3).
            if (caller.KeyId is { } keyId && !await session.KeyActiveAsync(keyId, CancellationToken.None).ConfigureAwait(false))
            {
                return Render(Problems.Of(401, "unauthorized", "That API key is not valid."));
            }

            if (hash is not null && await ClaimAsync(session, principal, key, hash).ConfigureAwait(false) is { } first)
            {
                return Replay(first, hash);
            }

            var decision = await command(session).ConfigureAwait(false);
            if (decision is Decision.Refused)
            {
                await session.UndoAsync().ConfigureAwait(false);
                // PostgreSQL: the undo let a concurrent duplicate in; its answer is the first one.
                if (hash is not null && await ClaimAsync(session, principal, key, hash).ConfigureAwait(false) is { } raced)
                {
                    return Replay(raced, hash);
                }
            }

            var answer = Render(decision);
            if (hash is not null) session.AnswerKey(principal, key, answer.Status, answer.Body, answer.Location);
            return answer;
        }).ConfigureAwait(false);
        if (committed.Paying is not { } paying) return committed;
        return await PayAsync(committed, paying, hash is null ? null : (principal, key)).ConfigureAwait(false);
    }

    /// <summary>
    /// R7.9: calls the gateway for a command's committed pending payment. <c>succeeded</c> or <c>declined</c> settles it
    /// (<see cref="PaymentSettlement"/>) and is the command's answer; <c>pending</c>, or no answer in time, leaves the
    /// payment to the worker and the result route, and the answer stays 202.
    /// </summary>
    private async Task<IResult> PayAsync(Answer pending, Decision.Paying paying, (string Principal, string Key)? idempotency)
    {
        if (!payments.Enabled) return pending;
        var id = paying.PaymentId;
        PaymentRow row;
        using (var read = writer.Database.BeginRead()) row = read.Payment(id)!;
        GatewayAnswer called;
        try
        {
            called = await gateway.ChargeAsync(row, CancellationToken.None).ConfigureAwait(false);
        }
        catch (GatewayUnavailableException e)
        {
            var now = clock.GetCurrentInstant();
            await Session.NotePaymentCallAsync(writer.Database, id, false, null, e.Message, now, now, CancellationToken.None)
                .ConfigureAwait(false);
            return pending;
        }

        if (called.ToResult() is not { Status: not PaymentStatus.Pending } result)
        {
            var now = clock.GetCurrentInstant();
            var known = called.ToResult() is not null;
            var error = known ? null : $"unknown status '{called.Status}'";
            var pollAt = known ? now + payments.PollAfter : now;
            await Session.NotePaymentCallAsync(writer.Database, id, known, called.Reference, error, now, pollAt,
                CancellationToken.None).ConfigureAwait(false);
            return pending;
        }

        return await writer.RunAsync(async session =>
        {
            var settled = await PaymentSettlement.SettleAsync(
                session, engine, clock.GetCurrentInstant(), id, result, called.Reference, CancellationToken.None).ConfigureAwait(false);
            if (settled is not { Now: true, Change: { } change }) return pending;
            var label = change.Account.Method?.Label ?? "The payment method";
            var answer = settled.Payment.Status switch
            {
                "succeeded" => Render(paying.Answer(new Written(change, session.LastOrderId))),
                "declined" => Render(new Refusal(RefusalCode.PaymentDeclined,
                    $"{label} was declined ({result.Why}); nothing was charged.")),
                _ => Render(QuoteIds.Stale() with
                {
                    Detail = "The instance or the price changed while the payment was made; it is refunded to the payment method.",
                }),
            };
            if (idempotency is var (principal, key)) session.AnswerKey(principal, key, answer.Status, answer.Body, answer.Location);
            return answer;
        }).ConfigureAwait(false);
    }

    /// <summary>
    /// For a handler that does work before its command (a test clock's advance runs its batches first): the answer a
    /// request gets without that work — its key refused, or the first answer to its key replayed (422 for another
    /// request) — or null when the work and the command are to run.
    /// </summary>
    public async Task<IResult?> AnsweredAsync(HttpContext http)
    {
        if (KeyProblem(http) is { } problem) return problem;
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0) return null;
        var principal = http.Caller().Principal;
        var stored = await Session.FindAnswerAsync(writer.Database, principal, key, http.RequestAborted).ConfigureAwait(false);
        return stored is null ? null : Replay(stored, await FingerprintAsync(http.Request).ConfigureAwait(false));
    }

    /// <summary>Why the request's Idempotency-Key is refused, or null: for handlers that act before they run their command.</summary>
    public static ProblemHttpResult? KeyProblem(HttpContext http) =>
        http.Request.Headers["Idempotency-Key"].ToString().Length > MaxKeyLength
            ? Problems.Invalid("Idempotency-Key", $"An Idempotency-Key is at most {MaxKeyLength} characters.")
            : null;

    private Task<Dictionary<string, AccountState>> LockAccountAsync(Session session, string accountId) =>
        session.LockAccountsAsync([accountId], clock.GetCurrentInstant(), CancellationToken.None);

    /// <summary>Claims the key in the command's unit of work: null when claimed now, else the first answer to it.</summary>
    private Task<StoredAnswer?> ClaimAsync(Session session, string principal, string key, string hash) =>
        session.ClaimKeyAsync(principal, key, hash, clock.GetCurrentInstant(), CancellationToken.None);

    private Decision Save(Session session, Target target, Func<Session, Target, Decision> decide)
    {
        var decision = decide(session, target);
        if (decision is not Decision.Write write) return decision;
        // The runner calls the gateway for the payment itself: the worker waits past that call's bound.
        session.PaymentCallsFrom = clock.GetCurrentInstant() + payments.Timeout + payments.Timeout;
        session.Save(write.Change, target.Now, target.Row.ClockId);
        return write.Change.Effects.Payment is null
            ? write.Answer(new Written(write.Change, session.LastOrderId))
            : new Decision.Paying(session.LastPaymentId!, write.Answer);
    }

    private static Answer Replay(StoredAnswer stored, string hash) =>
        stored.RequestHash == hash
            ? new Answer(stored.Status, stored.Body, stored.Location, Replayed: true)
            : Render(Problems.Of(422, "idempotency-key-reused", "This Idempotency-Key was used with a different request."));

    private static Answer Render(Decision decision) => decision switch
    {
        Decision.Answered { Reply: var reply } =>
            new Answer(reply.Status, JsonSerializer.Serialize(reply.Body, reply.Body.GetType(), JsonOptions), reply.Location, false),
        Decision.Refused { Problem: var problem } =>
            new Answer(problem.StatusCode, JsonSerializer.Serialize(problem.ProblemDetails, JsonOptions), null, false),
        Decision.Paying paying => new Answer(
            202, JsonSerializer.Serialize(new PaymentPendingAnswer(paying.PaymentId, "pending"), JsonOptions),
            $"/v1/payments/{Uri.EscapeDataString(paying.PaymentId)}", false) { Paying = paying },
        _ => throw new InvalidOperationException($"A {decision.GetType().Name} decision reached the answer unwritten."),
    };

    /// <summary>What makes two requests "the same" for a key: method, path, query and the body's bytes.</summary>
    private static async Task<string> FingerprintAsync(HttpRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        if (request.Body.CanSeek)
        {
            request.Body.Position = 0;
            var buffer = new byte[8192];
            int read;
            while ((read = await request.Body.ReadAsync(buffer).ConfigureAwait(false)) > 0) hash.AppendData(buffer, 0, read);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static JsonSerializerOptions CreateJsonOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Json.Configure(options);
        return options;
    }

    /// <summary>An answer as committed: the same text the first time and on every replay.</summary>
    private sealed record Answer(int Status, string Body, string? Location, bool Replayed) : IResult
    {
        /// <summary>R7.9: the command's payment, for the runner to call the gateway for once this answer is committed.</summary>
        public Decision.Paying? Paying { get; init; }

        public Task ExecuteAsync(HttpContext httpContext)
        {
            var response = httpContext.Response;
            response.StatusCode = Status;
            response.ContentType = Status >= 400 ? "application/problem+json" : "application/json";
            if (Location is not null) response.Headers.Location = Location;
            if (Replayed) response.Headers["Idempotent-Replayed"] = "true";
            return response.WriteAsync(Body);
        }
    }
}
