using System.Text.Json;
using System.Text.Json.Serialization;
using NodaTime;
using NodaTime.Serialization.SystemTextJson;

namespace Tenure.Api;

/// <summary>API.md's JSON: camelCase, enums as camelCase strings, instants as ISO-8601 UTC between 1970 and 2200.</summary>
public static class Json
{
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase, allowIntegerValues: false));
        options.ConfigureForNodaTime(DateTimeZoneProviders.Tzdb);
        options.NumberHandling = JsonNumberHandling.Strict;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;

        // A request means exactly what it says (issue 11): a positional field without a default must be sent,
        // names match case for case, and a name given twice is refused rather than "the last one wins".
        options.RespectRequiredConstructorParameters = true;
        options.PropertyNameCaseInsensitive = false;
        options.AllowDuplicateProperties = false;
        options.Converters.Insert(0, new BoundedInstantConverter());
    }
}
