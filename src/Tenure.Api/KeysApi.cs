using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using NodaTime;
using Tenure.Storage;

namespace Tenure.Api;

/// <summary>A new key: shown once, with its ID for listing and revoking.</summary>
public sealed record NewKeyDto(string Id, string ApiKey, Instant CreatedAt);

/// <summary>A key as listed: its public prefix, never its secret.</summary>
public sealed record KeyDto(string Id, string Prefix, Instant CreatedAt, Instant? LastUsedAt, Instant? RevokedAt)
{
    public static KeyDto From(KeyListing key) => new(key.Id, key.Prefix, key.CreatedAt, key.LastUsedAt, key.RevokedAt);
}

/// <summary>R13.3: an account's API keys; the operator creates, lists and revokes them (mapped in the operator's group).</summary>
public static class KeysApi
{
    public static void MapKeysApi(this IEndpointRouteBuilder ops)
    {
        ops.MapPost("/accounts/{id}/keys", Create).Produces<NewKeyDto>(201);
        ops.MapGet("/accounts/{id}/keys", List);
        ops.MapDelete("/accounts/{id}/keys/{keyId}", Revoke).Produces<KeyDto>();
    }

    private static Task<IResult> Create(string id, HttpContext http, CommandRunner run, IClock clock) =>
        run.OnAccount(http, id, (session, _) =>
        {
            var at = clock.GetCurrentInstant();
            var key = ApiKeys.NewKey(out var prefix, out var hash);
            var stored = new StoredKey(prefix, hash, id);
            session.InsertKey(stored, at);
            return Reply.Created($"/v1/accounts/{id}/keys", new NewKeyDto(stored.Id, key, at));
        });

    private static Results<Ok<Page<KeyDto>>, ProblemHttpResult> List(string id, ApiContext api)
    {
        using var session = api.Database.BeginRead();
        if (session.AccountRow(id) is null) return Problems.NotFound($"Account {id}");
        return TypedResults.Ok(new Page<KeyDto>([.. session.Keys(id).Select(KeyDto.From)], null));
    }

    /// <summary>Revokes at once: the key's next request is 401 and its console sessions end. Revoking twice keeps the first time.</summary>
    private static Task<IResult> Revoke(string id, string keyId, HttpContext http, CommandRunner run, IClock clock) =>
        run.OnAccount(http, id, (session, _) =>
        {
            session.RevokeKey(id, keyId, clock.GetCurrentInstant());
            return session.Key(id, keyId) is { } revoked ? Reply.Ok(KeyDto.From(revoked)) : Problems.NotFound($"Key {keyId}");
        });
}
