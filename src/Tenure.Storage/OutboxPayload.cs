using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using Tenure.Domain.Instances;

namespace Tenure.Storage;

/// <summary>
/// What an outbox row says, as its receiver gets it: a notice (kind, account, instance, instant, subject)
/// or a resource action (kind, instance, instant, detail), each with the idempotency key receivers
/// deduplicate by. The writer and the dispatcher share this one shape; a field a kind does not have is
/// left out of the JSON, so the bodies are those receivers have always been sent.
/// </summary>
public sealed record OutboxPayload(
    string Kind,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? AccountId,
    string? InstanceId,
    Instant At,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Subject,
    string IdempotencyKey,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Detail)
{
    /// <summary>
    /// R9.6: a notice's facts (its words are chosen at delivery, in the account's language), as the JSON text
    /// <see cref="NoticeJson"/> wrote: the payload carries it as it is, not parsed and written again.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    [JsonConverter(typeof(RawJson))]
    public string? Data { get; init; }

    /// <summary>
    /// R9.4: a notice, the same on every channel; its dedupe key is the idempotency key. Built from its <c>notices</c> row when the
    /// dispatcher claims a delivery (the outbox row holds no copy): <paramref name="kind"/> as stored (camelCase), and
    /// <paramref name="data"/> the facts as <see cref="NoticeJson"/> wrote them, carried as that text.
    /// </summary>
    public static OutboxPayload Notice(string kind, string accountId, string? instanceId, Instant at, string dedupeKey, string? data) =>
        new(kind, accountId, instanceId, at, null, dedupeKey, null) { Data = data };

    /// <summary>The notice's facts, when this is a notice written since notices are data.</summary>
    public NoticeData? NoticeData() => Data is { } data ? NoticeJson.Read(data) : null;

    /// <summary>R10.1: a resource action (<c>start</c>, <c>stop</c>, <c>release</c>, <c>modify</c>).</summary>
    public static OutboxPayload Of(ResourceAction action) =>
        new(action.Kind.ToString().ToLowerInvariant(), null, action.InstanceId.Value, action.At, null, action.IdempotencyKey,
            action.Detail);

    /// <summary>R10.2: a webhook test, sent once when the account asks; its key is the delivery's dedupe key.</summary>
    public static OutboxPayload Ping(string accountId, Instant at, string idempotencyKey) =>
        new("ping", accountId, null, at, "Tenure webhook test", idempotencyKey, null);

    public string ToJson() => JsonSerializer.Serialize(this, Columns.Json);

    public static OutboxPayload FromJson(string json) =>
        JsonSerializer.Deserialize<OutboxPayload>(json, Columns.Json)
            ?? throw new InvalidOperationException($"An outbox payload is not an object: {json}");

    /// <summary>A JSON value kept as its text: written as it is (still checked to be one value), read as the text it was.</summary>
    private sealed class RawJson : JsonConverter<string>
    {
        public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using var value = JsonDocument.ParseValue(ref reader);
            return value.RootElement.GetRawText();
        }

        public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteRawValue(value);
    }
}
