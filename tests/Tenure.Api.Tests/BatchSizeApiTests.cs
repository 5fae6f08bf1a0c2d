namespace Tenure.Api.Tests;

/// <summary>R7.5: a batch of up to 10,000 items is one request, one order; one more is refused before anything is read.</summary>
public sealed class BatchSizeApiTests(Server server) : IClassFixture<Server>
{
    private readonly HttpClient _operator = server.Client();

    [Theory]
    [InlineData("/v1/renewals/quote")]
    [InlineData("/v1/renewals")]
    public async Task R7_5_renewal_batches_take_up_to_10000_items(string path)
    {
        object Items(int count) =>
            new { items = Enumerable.Range(0, count).Select(i => new { instanceId = $"i-none-{i}", periodMonths = 1 }) };

        var most = await _operator.Post(path, Items(10_000));
        var tooMany = await _operator.Post(path, Items(10_001));

        // 10,000 pass the size check and meet the unknown IDs; 10,001 are refused as too many.
        Assert.Equal((404, "not-found"), (most.Status, most.Body.Str("code")));
        Assert.Equal((400, "validation"), (tooMany.Status, tooMany.Body.Str("code")));
        Assert.Contains("10000", tooMany.Body!.ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task R7_5_batch_renewal_settings_take_up_to_10000_instances()
    {
        object Ids(int count) => new { instanceIds = Enumerable.Range(0, count).Select(i => $"i-none-{i}"), mode = "manual" };

        var most = await _operator.Send(HttpMethod.Put, "/v1/renewals/settings", Ids(10_000));
        var tooMany = await _operator.Send(HttpMethod.Put, "/v1/renewals/settings", Ids(10_001));

        Assert.Equal((404, "not-found"), (most.Status, most.Body.Str("code")));
        Assert.Equal((400, "validation"), (tooMany.Status, tooMany.Body.Str("code")));
    }
}
