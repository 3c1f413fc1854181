import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { FieldDecryptionError, openNotification, type PersonalData } from '@rapport/privacy';
import { Access } from '../access/access-policy';
import { DtoPipe } from '../http/dto.pipe';
import { ApiProblemResponse } from '../http/openapi-responses';
import { ProblemException } from '../http/problem';
import { PERSONAL_DATA } from '../platform/tokens';
import { OpenedNotificationResponse, OpenNotificationDto } from './open-notification.dto';

/**
 * Delivery adapters open the notifications `rapport.outbound` carries sealed (the address and
 * the words encrypted with the customer's data key), just before they send one.
 */
@ApiTags('outbound')
@Controller('v1/outbound')
export class OutboundOpenController {
  constructor(@Inject(PERSONAL_DATA) private readonly personalData: PersonalData | null) {}

  @Access.adapter()
  @Post('open')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Open a sealed notification: where to send it and what it says (410 once the customer is erased)',
  })
  @ApiOkResponse({ type: OpenedNotificationResponse })
  @ApiProblemResponse(400, 'not a sealed notification, or sealed for another customer')
  @ApiProblemResponse(409, 'personal data protection is off: notifications are not sealed')
  @ApiProblemResponse(410, 'the customer was erased: do not send')
  async open(
    @Body(new DtoPipe(OpenNotificationDto)) dto: OpenNotificationDto,
  ): Promise<OpenedNotificationResponse> {
    if (!this.personalData)
      throw new ProblemException(409, 'personal data protection is off: nothing is sealed');
    let opened: Awaited<ReturnType<typeof openNotification>>;
    try {
      opened = await openNotification(dto, this.personalData.keys);
    } catch (error) {
      if (error instanceof FieldDecryptionError)
        throw new ProblemException(400, 'the sealed part does not open for this customer');
      throw error;
    }
    if (opened === 'erased')
      throw new ProblemException(410, 'the customer was erased: the notification must not be sent');
    return opened;
  }
}
