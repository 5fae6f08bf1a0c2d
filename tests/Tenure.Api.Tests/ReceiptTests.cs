using System.Diagnostics;
using System.Net.Http.Headers;

namespace Tenure.Api.Tests;

/// <summary>R8.8 receipts and statements as documents: their PDF text read back with Debian's pdftotext, in Latin, Chinese and
/// Japanese.</summary>
public sealed class ReceiptTests(BillingServer server) : IClassFixture<BillingServer>
{
    private readonly HttpClient _operator = server.Client();

    private async Task<(HttpClient Client, string AccountId, string OrderId)> Bought(string name, string frozenUtc)
    {
        var clock = await _operator.Post("/v1/test-clocks", new { frozenTime = frozenUtc });
        var account = await _operator.Post("/v1/accounts", new { name, email = "r@example.com", testClockId = clock.Body.Str("id") });
        var accountId = account.Body.Str("id");
        Assert.Equal(201, (await _operator.Post($"/v1/accounts/{accountId}/top-ups", new { amount = 5000 })).Status);
        Assert.Equal(201, (await _operator.Post($"/v1/accounts/{accountId}/coupons", new { amount = 250,
            expiresAt = "2030-01-01T00:00:00Z" })).Status);
        var client = server.Client(account.Body.Str("apiKey"));
        var bought = await client.Post("/v1/instances", new { product = "ecs", region = "cn-hangzhou", spec = "ecs.small",
            chargeType = "subscription", periodMonths = 1 });
        Assert.Equal(201, bought.Status);
        return (client, accountId, (await client.Get("/v1/orders")).Body!["items"]![0].Str("id"));
    }

    private static async Task<byte[]> Download(HttpClient client, string path, string accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
        Assert.Equal((200, accept), ((int)response.StatusCode, response.Content.Headers.ContentType?.MediaType));
        return await response.Content.ReadAsByteArrayAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The PDF's text as pdftotext reads it, whitespace runs made one space.</summary>
    private static async Task<string> PdfText(byte[] pdf)
    {
        var file = Path.Combine(Path.GetTempPath(), $"tenure-receipt-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(file, pdf, TestContext.Current.CancellationToken);
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pdftotext", ["-layout", "-enc", "UTF-8", file,
                "-"]) { RedirectStandardOutput = true })!;
            var text = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.Equal(0, process.ExitCode);
            return string.Join(' ', text.Split((char[])[' ', '\n', '\r', '\f'], StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("Avery Quinn")]
    [InlineData("张伟")]
    [InlineData("山田太郎")]
    public async Task R8_8_a_receipt_prints_the_provider_account_items_with_local_dates_what_paid_and_the_order(string name)
    {
        // R2.1: bought 2017-11-08 10:00 local for a month: the period runs to 2017-12-09 00:00 local.
        var (client, accountId, orderId) = await Bought(name, "2017-11-08T02:00:00Z");
        var text = await PdfText(await Download(client, $"/v1/orders/{orderId}/receipt", "application/pdf"));
        Assert.Contains("Receipt · Tenure Cloud 天府云", text);
        Assert.Contains("北京市朝阳区建国路 1 号", text);
        Assert.Contains($"Order {orderId}", text);
        Assert.Contains("Time: 2017-11-08 10:00 (Asia/Shanghai)", text);
        Assert.Contains($"Account: {name} ({accountId}, r@example.com)", text);
        Assert.Contains("purchase 2017-11-08 10:00 – 2017-12-09 00:00 10.00 USD", text);
        Assert.Contains("Total 10.00 USD", text);
        Assert.Contains("Paid by coupons 2.50 USD", text);
        Assert.Contains("Paid from balance 7.50 USD", text);
        Assert.Contains("Paid by payment method 0.00 USD", text);

        var html = System.Text.Encoding.UTF8.GetString(await Download(client, $"/v1/orders/{orderId}/receipt", "text/html"));
        Assert.Contains($"<strong>Order {orderId}</strong>", html);
        Assert.Contains(System.Net.WebUtility.HtmlEncode(name), html);
        Assert.Contains("<td>2017-11-08 10:00 – 2017-12-09 00:00</td><td>10.00 USD</td>", html);
    }

    [Fact]
    public async Task R8_8_a_statement_pdf_prints_the_opening_each_movement_and_the_closing_balance()
    {
        var (client, _, _) = await Bought("Statement Reader", "2017-11-08T02:00:00Z");
        var text = await PdfText(await Download(client, "/v1/account/statements/2017-11", "application/pdf"));
        Assert.Contains("Statement 2017-11 · Tenure Cloud 天府云", text);
        Assert.Contains("From 2017-11-01 00:00 to 2017-12-01 00:00 (Asia/Shanghai)", text);
        Assert.Contains("Opening balance 0.00 USD", text);
        Assert.Contains("2017-11-08 10:00 top up top-up 50.00 USD 50.00 USD", text);
        Assert.Contains("-7.50 USD 42.50 USD", text);
        Assert.Contains("Closing balance 42.50 USD", text);
    }
}
