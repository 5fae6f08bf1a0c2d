using Tenure.Domain.Catalog;
using Tenure.Domain.Time;

namespace Tenure.Domain;

/// <summary>The deployment's settings every decision reads: the catalog, the billing calendar and the PAYG grace.</summary>
/// <param name="PaygOverdueGraceHours">R7.6: hours after the balance went negative before PAYG instances stop.</param>
/// <param name="PaymentPendingHours">R7.10: how long a pending payment holds back a stop or release.</param>
public sealed record Rules(ProductCatalog Catalog, BillingCalendar Calendar, int PaygOverdueGraceHours = 24, int PaymentPendingHours = 24)
{
    public static Rules Default { get; } = new(CatalogLoader.Default, BillingCalendar.Default);
}
