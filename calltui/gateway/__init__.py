"""The only package that talks to Twilio (through the twilio SDK): implements `CallGateway`."""

from calltui.gateway.twilio_gateway import TwilioGateway

__all__ = ["TwilioGateway"]
