using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace Tenure.Api;

/// <summary>Reads and writes instants as ISO-8601 UTC and refuses, on reading, one outside <see cref="InstantBounds"/>.</summary>
public sealed class BoundedInstantConverter : JsonConverter<Instant>
{
    private static readonly JsonConverter<Instant> Iso = (JsonConverter<Instant>)NodaConverters.InstantConverter;

    public override Instant Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var at = Iso.Read(ref reader, typeToConvert, options);
        return InstantBounds.Contains(at) ? at : throw new JsonException(InstantBounds.Detail);
    }

    public override void Write(Utf8JsonWriter writer, Instant value, JsonSerializerOptions options) => Iso.Write(writer, value, options);
}
