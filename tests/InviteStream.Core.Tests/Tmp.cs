namespace X; public class T { [NUnit.Framework.Test] public void A() { } }
