using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;
using Tenure.Domain.Instances;

namespace Tenure.Storage;

/// <summary>
/// R9.6: a notice's facts as JSON — in the notices table, in the outbox and in the account's webhook — with camelCase
/// names and enum values (<c>"renewalMode": "auto"</c>) like the rest of the API, and no field a notice does not have.
/// </summary>
public static class NoticeJson
{
    public static JsonSerializerOptions Options { get; } = new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    }.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);

    public static string Write(NoticeData data) => JsonSerializer.Serialize(data, Options);

    public static NoticeData Read(string json) =>
        JsonSerializer.Deserialize<NoticeData>(json, Options)
            ?? throw new InvalidOperationException($"A notice's data is not an object: {json}");
}
