namespace InviteStream.Engagement.Tests.Configuration;

/// <summary>Where a region sends the API calls and the token requests, and what overrides it.</summary>
[TestFixture]
public sealed class RegionTests
{
    [TestCase("mypurecloud.com", "https://api.mypurecloud.com/", "https://login.mypurecloud.com/oauth/token")]
    [TestCase("mypurecloud.ie", "https://api.mypurecloud.ie/", "https://login.mypurecloud.ie/oauth/token")]
    [TestCase("euw2.pure.cloud", "https://api.euw2.pure.cloud/", "https://login.euw2.pure.cloud/oauth/token")]
    [TestCase("mypurecloud.com.au", "https://api.mypurecloud.com.au/", "https://login.mypurecloud.com.au/oauth/token")]
    [TestCase("use2.us-gov-pure.cloud", "https://api.use2.us-gov-pure.cloud/", "https://login.use2.us-gov-pure.cloud/oauth/token")]
    public void A_region_names_the_api_host_and_the_login_host(string region, string api, string login)
    {
        var options = new EngagementOptions { Region = region };

        Assert.That(options.RegionIsDomain, Is.True);
        Assert.That(options.EffectiveBaseUrl, Is.EqualTo(new Uri(api)));
        Assert.That(options.EffectiveTokenUrl, Is.EqualTo(new Uri(login)));
    }

    [Test]
    public void Base_and_token_urls_override_the_region_each_on_its_own()
    {
        var proxy = new Uri("http://127.0.0.1:8080/genesys/");
        var options = new EngagementOptions { Region = "mypurecloud.ie", BaseUrl = proxy };
        Assert.That(options.EffectiveBaseUrl, Is.EqualTo(proxy));
        Assert.That(options.EffectiveTokenUrl, Is.EqualTo(new Uri("https://login.mypurecloud.ie/oauth/token")), "the login host stays the region's");

        options.TokenUrl = new Uri("http://127.0.0.1:8081/oauth/token");
        Assert.That(options.EffectiveTokenUrl, Is.EqualTo(options.TokenUrl));
    }

    [Test]
    public void Without_a_region_tokens_come_from_the_base_url()
    {
        var options = new EngagementOptions { BaseUrl = new Uri("http://127.0.0.1:9000/") };
        Assert.That(options.EffectiveTokenUrl, Is.EqualTo(new Uri("http://127.0.0.1:9000/oauth/token")));
    }

    [TestCase("https://api.mypurecloud.ie")]
    [TestCase("MyPureCloud.ie")]
    [TestCase("mypurecloud")]
    [TestCase("mypurecloud.ie/")]
    [TestCase("-bad.pure.cloud")]
    public void A_region_that_is_not_a_domain_makes_no_url(string region)
    {
        var options = new EngagementOptions { Region = region };
        Assert.That(options.RegionIsDomain, Is.False);
        Assert.That(options.EffectiveBaseUrl, Is.Null);
    }
}
